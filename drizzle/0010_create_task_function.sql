CREATE TABLE "task_intents" (
	"id" bigint PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"input" jsonb,
	"queue" text NOT NULL,
	"priority" integer NOT NULL,
	"max_attempts" integer NOT NULL,
	"timeout_seconds" integer NOT NULL,
	"run_at" timestamp with time zone,
	"concurrency_key" text,
	"idempotency_key" text,
	"unique_key" text,
	"unique_seconds" integer
);
--> statement-breakpoint
-- Hand-written from here: create_task(kind, input, options), for applications that enqueue a task
-- in their own transaction, so the task exists if and only if their own writes commit.
--
-- The call only checks the options, draws the task's id and stages the task in task_intents; a
-- deferred constraint trigger writes it at the caller's commit. Written at the call, the task
-- would take the event lock (drizzle/0006) and the queue's task_counts rows there and hold them
-- for the rest of the caller's transaction: every claim, completion and create of every process
-- would wait for whatever work the application does after the call. At the commit they are held
-- from the trigger to the commit, as any event-writing statement holds them, and events stay in
-- commit order.
--
-- At the commit the trigger writes what createTask writes (store/tasks/insert-tasks.ts): the
-- queue's row if it is new, the task, held from its creation as that statement would hold it, the
-- window of a key taken for a time, the `created` event under the event lock and the notices,
-- which Postgres delivers only at commit, so a rolled-back task is never seen. That statement is
-- written for bursts of tasks in one round trip; this is the same logic for one task, restated
-- rather than shared, since a function called per row would cost every bulk create. Options are
-- checked as intake.ts checks createTask's; the kind only for its form (the database does not
-- know which kinds the servers run), and the input not for its size (MAX_PAYLOAD_BYTES is a
-- server setting).
--
-- The option checks raise invalid_parameter_value (22023), naming the option and what it takes.
CREATE FUNCTION create_task_refuse(name text, allowed text, got jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'create_task: option % must be %, got %', name, allowed, got USING ERRCODE = 'invalid_parameter_value';
END $$;
--> statement-breakpoint
-- An integer option from low to high; NULL when absent or null (the caller's default applies).
CREATE FUNCTION create_task_int(options jsonb, name text, low int, high int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  v jsonb := options -> name;
BEGIN
  IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
    RETURN NULL;
  END IF;
  -- Compared as numeric first: a number of any size or with a fraction is refused, not rounded.
  IF jsonb_typeof(v) <> 'number' OR v::numeric <> trunc(v::numeric) OR v::numeric NOT BETWEEN low AND high THEN
    PERFORM create_task_refuse(name, format('an integer from %s to %s', low, high), v);
  END IF;
  RETURN v::numeric::int;
END $$;
--> statement-breakpoint
-- A string option matching pattern (described by allowed); NULL when absent or null.
CREATE FUNCTION create_task_text(options jsonb, name text, pattern text, allowed text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v jsonb := options -> name;
BEGIN
  IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
    RETURN NULL;
  END IF;
  IF jsonb_typeof(v) <> 'string' OR (v #>> '{}') !~ pattern THEN
    PERFORM create_task_refuse(name, allowed, v);
  END IF;
  RETURN v #>> '{}';
END $$;
--> statement-breakpoint
-- A key option (idempotencyKey, concurrencyKey, uniqueKey): 1 to 512 characters (a regular
-- expression counts to 255 at most). jsonb cannot hold the NUL character the server refuses.
CREATE FUNCTION create_task_key(options jsonb, name text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v jsonb := options -> name;
BEGIN
  IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
    RETURN NULL;
  END IF;
  IF jsonb_typeof(v) <> 'string' OR char_length(v #>> '{}') NOT BETWEEN 1 AND 512 THEN
    PERFORM create_task_refuse(name, 'a string of 1 to 512 characters', v);
  END IF;
  RETURN v #>> '{}';
END $$;
--> statement-breakpoint
-- The task that holds a key, looked up without locking anything: by the idempotency key first,
-- then by the unique key, while active or for its window as the task asks. `option` names the key.
CREATE FUNCTION create_task_holder(idempotency text, unique_key text, unique_seconds int, OUT holder bigint, OUT option text, OUT key text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  holder := (SELECT t.id FROM tasks t WHERE t.idempotency_key = idempotency);
  IF holder IS NOT NULL THEN
    option := 'idempotencyKey';
    key := idempotency;
    RETURN;
  END IF;
  IF unique_seconds IS NULL THEN
    holder := (SELECT t.id FROM tasks t WHERE t.unique_key = create_task_holder.unique_key AND t.unique_until IS NULL AND t.status IN ('pending', 'running'));
  ELSE
    holder := (SELECT t.id FROM task_unique_windows w JOIN tasks t ON t.id = w.task_id WHERE w.unique_key = create_task_holder.unique_key AND w.until > statement_timestamp());
  END IF;
  IF holder IS NOT NULL THEN
    option := 'uniqueKey';
    key := unique_key;
  END IF;
END $$;
--> statement-breakpoint
CREATE FUNCTION create_task(kind text, input jsonb DEFAULT 'null', options jsonb DEFAULT '{}') RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  unknown text;
  run_at_text text;
  task_queue text;
  task_priority int;
  task_max_attempts int;
  task_timeout_seconds int;
  task_run_at timestamptz;
  task_concurrency_key text;
  task_idempotency_key text;
  task_unique_key text;
  unique_while text;
  task_unique_seconds int;
  holder bigint;
  new_id bigint;
BEGIN
  -- Everything is checked before anything is staged.
  IF kind IS NULL OR kind !~ '^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$' THEN
    RAISE EXCEPTION 'create_task: kind must be 1 to 100 characters, a letter or digit and then letters, digits, "_", ".", ":", "-" or "/", got %',
      coalesce(to_jsonb(kind)::text, 'NULL') USING ERRCODE = 'invalid_parameter_value';
  END IF;
  options := coalesce(options, '{}');
  IF jsonb_typeof(options) <> 'object' THEN
    RAISE EXCEPTION 'create_task: options must be a JSON object, got %', options USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT string_agg(to_jsonb(k)::text, ', ' ORDER BY k) INTO unknown FROM jsonb_object_keys(options) AS k
  WHERE k NOT IN ('queue', 'priority', 'maxAttempts', 'timeoutSeconds', 'runAt', 'concurrencyKey', 'idempotencyKey', 'uniqueKey', 'uniqueWhile', 'uniqueSeconds');
  IF unknown IS NOT NULL THEN
    RAISE EXCEPTION 'create_task: unknown option %; the options are queue, priority, maxAttempts, timeoutSeconds, runAt, concurrencyKey, idempotencyKey, uniqueKey, uniqueWhile and uniqueSeconds',
      unknown USING ERRCODE = 'invalid_parameter_value';
  END IF;
  task_queue := coalesce(create_task_text(options, 'queue', '^[A-Za-z0-9._-]{1,64}$', 'a string of 1 to 64 letters, digits, ".", "_" or "-"'), 'default');
  task_priority := coalesce(create_task_int(options, 'priority', -1000, 1000), 0);
  task_max_attempts := coalesce(create_task_int(options, 'maxAttempts', 1, 1000), 3);
  task_timeout_seconds := coalesce(create_task_int(options, 'timeoutSeconds', 1, 7 * 24 * 3600), 1800);
  -- RFC 3339 with a time zone, to the millisecond, as the server's DateTime takes it. Checked
  -- without catching the cast's error: an EXCEPTION block is a subtransaction, and a transaction
  -- that enqueues many tasks would overflow the subtransaction cache, which slows every session.
  run_at_text := create_task_text(options, 'runAt',
    '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$',
    'an RFC 3339 time with a time zone, like 2030-01-01T12:00:00Z');
  IF run_at_text IS NOT NULL THEN
    -- The one mistake the pattern lets through: a day past its month's end (2030-02-30).
    IF substr(run_at_text, 9, 2)::int > extract(day FROM make_date(substr(run_at_text, 1, 4)::int, substr(run_at_text, 6, 2)::int, 1) + interval '1 month - 1 day') THEN
      PERFORM create_task_refuse('runAt', 'a valid time', options -> 'runAt');
    END IF;
    task_run_at := date_trunc('milliseconds', run_at_text::timestamptz);
  END IF;
  task_concurrency_key := create_task_key(options, 'concurrencyKey');
  task_idempotency_key := create_task_key(options, 'idempotencyKey');
  task_unique_key := create_task_key(options, 'uniqueKey');
  unique_while := create_task_text(options, 'uniqueWhile', '^(ACTIVE|FOR_SECONDS)$', '"ACTIVE" or "FOR_SECONDS"');
  task_unique_seconds := create_task_int(options, 'uniqueSeconds', 1, 366 * 24 * 3600);
  IF task_unique_key IS NULL AND (unique_while IS NOT NULL OR task_unique_seconds IS NOT NULL) THEN
    RAISE EXCEPTION 'create_task: options uniqueWhile and uniqueSeconds need a uniqueKey' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF unique_while IS DISTINCT FROM 'FOR_SECONDS' AND task_unique_seconds IS NOT NULL THEN
    RAISE EXCEPTION 'create_task: option uniqueSeconds goes with uniqueWhile "FOR_SECONDS"' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF unique_while = 'FOR_SECONDS' AND task_unique_seconds IS NULL THEN
    RAISE EXCEPTION 'create_task: option uniqueWhile "FOR_SECONDS" needs uniqueSeconds' USING ERRCODE = 'invalid_parameter_value';
  END IF;

  -- As createTask: a repeated key gives the task that holds it. Read without a lock, so a task
  -- that takes the key before this transaction commits fails that commit (create_task_commit).
  IF task_idempotency_key IS NOT NULL OR task_unique_key IS NOT NULL THEN
    holder := (SELECT h.holder FROM create_task_holder(task_idempotency_key, task_unique_key, task_unique_seconds) AS h);
    -- A task staged earlier in this transaction holds its keys too. Other transactions' intents
    -- are not visible, and a committed one is deleted: these are this transaction's own.
    IF holder IS NULL THEN
      holder := (SELECT i.id FROM task_intents i WHERE i.idempotency_key = task_idempotency_key ORDER BY i.id LIMIT 1);
    END IF;
    IF holder IS NULL THEN
      holder := (SELECT i.id FROM task_intents i WHERE i.unique_key = task_unique_key
        AND (i.unique_seconds IS NULL) = (task_unique_seconds IS NULL) ORDER BY i.id LIMIT 1);
    END IF;
    IF holder IS NOT NULL THEN
      RETURN holder;
    END IF;
  END IF;

  -- The id now, so the caller has it before the commit; the table of intents has no foreign key
  -- and no key but this id, so staging waits for no other transaction.
  new_id := nextval(pg_get_serial_sequence('tasks', 'id'));
  INSERT INTO task_intents (id, kind, input, queue, priority, max_attempts, timeout_seconds, run_at, concurrency_key,
    idempotency_key, unique_key, unique_seconds)
  VALUES (new_id, create_task.kind, nullif(create_task.input, 'null'::jsonb), task_queue, task_priority, task_max_attempts,
    task_timeout_seconds, task_run_at, task_concurrency_key, task_idempotency_key, task_unique_key, task_unique_seconds);
  RETURN new_id;
END $$;
--> statement-breakpoint
-- Writes a staged task, at the commit of the transaction that staged it (or at SET CONSTRAINTS
-- ... IMMEDIATE), in the order the intents were staged.
CREATE FUNCTION create_task_commit() RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
-- Times are the commit statement's (statement_timestamp()), not now(): now() is when the caller's
-- transaction began, which may be long before the task exists for anyone (a window judged or
-- taken, a due time, the creation time).
DECLARE
  intent task_intents;
  queue_paused boolean;
  queue_concurrency int;
  key_limit int;
  held text;
  window_taken boolean;
  inserted bigint;
  notices bigint;
  taken record;
BEGIN
  -- Deleted first, and read from the table rather than from NEW: an intent is written once, and
  -- one deleted since it was staged is not written at all.
  DELETE FROM task_intents i WHERE i.id = NEW.id RETURNING i.* INTO intent;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;

  -- As createTask: only a queue not there yet, so an existing row, which a claim may hold
  -- locked, is not written over.
  INSERT INTO queues (name) SELECT intent.queue WHERE NOT EXISTS (SELECT 1 FROM queues q WHERE q.name = intent.queue) ON CONFLICT DO NOTHING;
  -- Held from its creation as createTask holds it (HELD_AT_CREATION): a due task whose queue is
  -- paused or runs all its concurrency allows, or whose key has as many tasks running or due as
  -- its keyConcurrency, does not enter the claim index only to be held by the next claim. Judged
  -- now, at the commit, when the task becomes visible to the claims.
  IF coalesce(intent.run_at, statement_timestamp()) <= statement_timestamp() THEN
    SELECT q.paused, q.concurrency, coalesce(q.key_concurrency, 1) INTO queue_paused, queue_concurrency, key_limit
    FROM queues q WHERE q.name = intent.queue;
    IF queue_paused THEN
      held := 'QUEUE_PAUSED';
    ELSIF queue_concurrency IS NOT NULL
      AND (SELECT coalesce(sum(c.n), 0) FROM task_counts c WHERE c.queue = intent.queue AND c.status = 'running') >= queue_concurrency THEN
      held := 'QUEUE_CONCURRENCY';
    ELSIF intent.concurrency_key IS NOT NULL AND (
      SELECT count(*) FROM (
        SELECT 1 FROM tasks k WHERE k.status = 'running' AND k.concurrency_key IS NOT NULL
          AND k.queue = intent.queue AND k.concurrency_key = intent.concurrency_key
        UNION ALL
        SELECT 1 FROM tasks k WHERE k.status = 'pending' AND k.concurrency_key IS NOT NULL AND k.queue = intent.queue
          AND k.concurrency_key = intent.concurrency_key AND k.run_at <= statement_timestamp()
        LIMIT key_limit) AS busy) >= key_limit THEN
      held := 'KEY_CONCURRENCY';
    END IF;
  END IF;

  -- The id was returned to the caller, so a key taken since the call cannot give its holder
  -- instead: the commit fails, and the caller's retry of its transaction gets the holder from
  -- create_task. Tried again only when the key was found taken and then free (its task ended in
  -- between): the task can be written after all.
  FOR turn IN 1..3 LOOP
    window_taken := true;
    IF intent.unique_seconds IS NOT NULL THEN
      -- A key taken for a time is claimed by the task's id; an expired window is taken over. Not
      -- when the task will not be inserted for its idempotency key.
      window_taken := false;
      IF intent.idempotency_key IS NULL OR NOT EXISTS (SELECT 1 FROM tasks t WHERE t.idempotency_key = intent.idempotency_key) THEN
        INSERT INTO task_unique_windows AS w (unique_key, task_id, until)
        VALUES (intent.unique_key, intent.id, statement_timestamp() + make_interval(secs => intent.unique_seconds))
        ON CONFLICT (unique_key) DO UPDATE SET task_id = excluded.task_id, until = excluded.until WHERE w.until <= statement_timestamp();
        window_taken := FOUND;
      END IF;
    END IF;
    IF window_taken THEN
      -- The shape of every event-writing statement (store/statement.ts): the row is written, and
      -- any wait for a key another transaction holds is over, before the event lock is taken, and
      -- the counters' trigger runs after it, as in every other statement. The lock is held from
      -- here to the commit.
      WITH changed AS (
        INSERT INTO tasks (id, kind, input, priority, run_at, max_attempts, timeout_seconds, idempotency_key, queue,
          concurrency_key, unique_key, unique_until, waiting_for, created_at, updated_at)
        OVERRIDING SYSTEM VALUE
        VALUES (intent.id, intent.kind, intent.input, intent.priority, coalesce(intent.run_at, statement_timestamp()), intent.max_attempts,
          intent.timeout_seconds, intent.idempotency_key, intent.queue, intent.concurrency_key, intent.unique_key,
          statement_timestamp() + make_interval(secs => intent.unique_seconds), held, statement_timestamp(), statement_timestamp())
        ON CONFLICT DO NOTHING
        RETURNING id, kind, run_at, waiting_for
      ), locked AS MATERIALIZED (
        SELECT pg_advisory_xact_lock(task_event_lock()) FROM (SELECT count(*) AS n FROM changed) AS changes WHERE changes.n > 0
      ), events AS (
        INSERT INTO task_events (task_id, type, status, data)
        SELECT changed.id, 'created', 'pending', CASE WHEN changed.waiting_for IS NOT NULL THEN jsonb_build_object('waitingFor', changed.waiting_for) END
        FROM changed, locked
        RETURNING id
      ), notified AS MATERIALIZED (
        -- The notice of store/notices.ts (EventNotice): new work, of type created, with the ids.
        SELECT pg_notify('task_events', 'n|created|' || (min(id) - 1)::text || '|' || max(id)::text) FROM events HAVING count(*) > 0
      ), due_notified AS MATERIALIZED (
        -- When a task for later becomes due (TASKS_DUE_CHANNEL), in ms from now by the clock.
        SELECT pg_notify('task_due', ceil(extract(epoch FROM changed.run_at - clock_timestamp()) * 1000)::bigint::text || ':' || changed.kind)
        FROM changed WHERE changed.run_at > clock_timestamp()
      )
      SELECT changed.id, (SELECT count(*) FROM notified) + (SELECT count(*) FROM due_notified) INTO inserted, notices FROM changed;
      IF inserted IS NOT NULL THEN
        RETURN NULL;
      END IF;
      -- Not inserted after all (its idempotency key came in meanwhile): the window is not its.
      IF intent.unique_seconds IS NOT NULL THEN
        DELETE FROM task_unique_windows w WHERE w.unique_key = intent.unique_key AND w.task_id = intent.id;
      END IF;
    END IF;
    SELECT * INTO taken FROM create_task_holder(intent.idempotency_key, intent.unique_key, intent.unique_seconds);
    IF taken.holder IS NOT NULL THEN
      RAISE EXCEPTION 'create_task: % % was taken by task % before the commit of task %; the transaction is rolled back',
        taken.option, to_jsonb(taken.key)::text, taken.holder, intent.id
        USING ERRCODE = 'unique_violation', HINT = 'Run the transaction again: create_task then returns the task that holds the key.';
    END IF;
  END LOOP;
  RAISE EXCEPTION 'create_task: a task key changed hands repeatedly while task % was being created', intent.id USING ERRCODE = 'serialization_failure';
END $$;
--> statement-breakpoint
-- Deferred to the commit, so nothing of the queue is locked before it; AFTER INSERT FOR EACH ROW,
-- so several intents of one transaction are written in the order they were staged.
CREATE CONSTRAINT TRIGGER task_intents_commit AFTER INSERT ON task_intents DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION create_task_commit();
