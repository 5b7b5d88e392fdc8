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
-- At the commit the trigger writes what createTasks writes (store/tasks/insert-tasks.ts) for all
-- the tasks the transaction staged, in one statement: the queues' rows if they are new, the tasks,
-- held from their creation as that statement would hold them, the windows of keys taken for a
-- time, the `created` events under the event lock and the notices, which Postgres delivers only
-- at commit, so a rolled-back task is never seen. The same logic restated rather than shared,
-- since a function called per row would cost every bulk create. Options are
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
-- Writes the staged tasks at the commit of the transaction that staged them (or at SET
-- CONSTRAINTS ... IMMEDIATE): the first firing of the row trigger writes every intent of the
-- transaction, in one statement with one event insert and one notice, as createTasks writes a
-- burst; the later firings find their intent gone. Written one by one, a thousand tasks held the
-- event lock, which every claim and outcome waits for, from the first task's write to the commit.
CREATE FUNCTION create_task_commit() RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
-- Times are the commit statement's (statement_timestamp()), not now(): now() is when the caller's
-- transaction began, which may be long before the tasks exist for anyone (a window judged or
-- taken, a due time, the creation time).
DECLARE
  staged task_intents[];
  written bigint[] := '{}';
  fresh bigint[];
  notices bigint;
  intent task_intents;
  taken record;
BEGIN
  -- By the primary key: a later firing costs one index probe, not a scan of the intents.
  IF NOT EXISTS (SELECT 1 FROM task_intents i WHERE i.id = NEW.id) THEN
    RETURN NULL;
  END IF;
  -- Every intent visible is this transaction's: other transactions' are not visible, and a
  -- committed one was deleted by its commit. Deleted first, and read from the table rather than
  -- from NEW: an intent is written once, and one deleted since it was staged (a savepoint rolled
  -- back) is not written at all. In id order, which is the order of the calls.
  WITH gone AS (DELETE FROM task_intents i RETURNING i AS intent)
  SELECT array_agg(gone.intent ORDER BY (gone.intent).id) INTO staged FROM gone;

  -- As createTasks: only queues not there yet, so an existing row, which a claim may hold
  -- locked, is not written over; before the event lock, so a new queue another create is
  -- inserting too is waited for, and not under that lock.
  INSERT INTO queues (name) SELECT DISTINCT s.queue FROM unnest(staged) s
  WHERE NOT EXISTS (SELECT 1 FROM queues q WHERE q.name = s.queue) ON CONFLICT DO NOTHING;

  -- The ids were returned to the caller, so a key taken since the call cannot give its holder
  -- instead: the commit fails, and the caller's retry of its transaction gets the holder from
  -- create_task. Tried again only for tasks whose key was found taken and then free (its task
  -- ended in between): they can be written after all. The events are written only once every
  -- task is, so they stay contiguous and in call order.
  FOR turn IN 1..3 LOOP
    WITH todo AS (
      SELECT s.* FROM unnest(staged) s WHERE s.id <> ALL (written)
    ), rules AS MATERIALIZED (
      SELECT q.name, q.paused, q.concurrency, coalesce(q.key_concurrency, 1) AS key_limit,
        CASE WHEN q.concurrency IS NOT NULL THEN (SELECT coalesce(sum(c.n), 0) FROM task_counts c WHERE c.queue = q.name AND c.status = 'running') END AS running
      FROM queues q WHERE q.name IN (SELECT todo.queue FROM todo)
    ), windows AS (
      -- A key taken for a time is claimed by the task's id, in key order as createTasks claims
      -- them, so two commits of overlapping keys wait for each other in turn rather than in a
      -- cycle; an expired window is taken over. Not when the task will not be inserted for its
      -- idempotency key.
      INSERT INTO task_unique_windows AS w (unique_key, task_id, until)
      SELECT todo.unique_key, todo.id, statement_timestamp() + make_interval(secs => todo.unique_seconds)
      FROM todo
      WHERE todo.unique_seconds IS NOT NULL
        AND (todo.idempotency_key IS NULL OR NOT EXISTS (SELECT 1 FROM tasks t WHERE t.idempotency_key = todo.idempotency_key))
      ORDER BY todo.unique_key
      ON CONFLICT (unique_key) DO UPDATE SET task_id = excluded.task_id, until = excluded.until WHERE w.until <= statement_timestamp()
      RETURNING w.task_id
    ), changed AS (
      -- Held from its creation as createTasks holds it (HELD_AT_CREATION in
      -- store/tasks/insert-tasks.ts): a due task whose queue is paused or runs all its
      -- concurrency allows, or whose key has as many tasks running or due as its keyConcurrency,
      -- does not enter the claim index only to be held by the next claim. Judged at the commit,
      -- when the tasks become visible to the claims, against the tasks there before it: as in
      -- one createTasks statement, the tasks of one commit do not count each other.
      INSERT INTO tasks (id, kind, input, priority, run_at, max_attempts, timeout_seconds, idempotency_key, queue,
        concurrency_key, unique_key, unique_until, waiting_for, created_at, updated_at)
      OVERRIDING SYSTEM VALUE
      SELECT todo.id, todo.kind, todo.input, todo.priority, coalesce(todo.run_at, statement_timestamp()), todo.max_attempts,
        todo.timeout_seconds, todo.idempotency_key, todo.queue, todo.concurrency_key, todo.unique_key,
        statement_timestamp() + make_interval(secs => todo.unique_seconds),
        CASE WHEN coalesce(todo.run_at, statement_timestamp()) > statement_timestamp() THEN NULL
          WHEN r.paused THEN 'QUEUE_PAUSED'
          WHEN r.running >= r.concurrency THEN 'QUEUE_CONCURRENCY'
          WHEN todo.concurrency_key IS NOT NULL AND (
            SELECT count(*) FROM (
              SELECT 1 FROM tasks k WHERE k.status = 'running' AND k.concurrency_key IS NOT NULL
                AND k.queue = todo.queue AND k.concurrency_key = todo.concurrency_key
              UNION ALL
              SELECT 1 FROM tasks k WHERE k.status = 'pending' AND k.concurrency_key IS NOT NULL AND k.queue = todo.queue
                AND k.concurrency_key = todo.concurrency_key AND k.run_at <= statement_timestamp()
              LIMIT coalesce(r.key_limit, 1)) AS busy) >= coalesce(r.key_limit, 1) THEN 'KEY_CONCURRENCY'
        END,
        statement_timestamp(), statement_timestamp()
      FROM todo LEFT JOIN rules r ON r.name = todo.queue
      WHERE todo.unique_seconds IS NULL OR todo.id IN (SELECT windows.task_id FROM windows)
      -- A unique key in key order, as its window.
      ORDER BY todo.unique_key, todo.id
      ON CONFLICT DO NOTHING
      RETURNING id, kind, run_at, waiting_for
    ), complete AS MATERIALIZED (
      -- Counted, not probed for one row: every task is written, and any wait for a key another
      -- transaction holds is over, before the event lock is taken (store/statement.ts).
      SELECT (SELECT count(*) FROM changed) + cardinality(written) = cardinality(staged) AS yes
    ), created AS (
      SELECT changed.id, changed.kind, changed.run_at, changed.waiting_for FROM changed
      UNION ALL
      SELECT t.id, t.kind, t.run_at, t.waiting_for FROM tasks t WHERE t.id = ANY (written)
    ), locked AS MATERIALIZED (
      -- Held from here to the commit; the counters' trigger runs after it, as in every other
      -- event-writing statement.
      SELECT pg_advisory_xact_lock(task_event_lock()) FROM complete WHERE complete.yes
    ), events AS (
      INSERT INTO task_events (task_id, type, status, data)
      SELECT created.id, 'created', 'pending', CASE WHEN created.waiting_for IS NOT NULL THEN jsonb_build_object('waitingFor', created.waiting_for) END
      FROM created, locked
      ORDER BY created.id
      RETURNING id
    ), notified AS MATERIALIZED (
      -- The notice of store/notices.ts (EventNotice): new work, of type created, with the ids.
      SELECT pg_notify('task_events', 'n|created|' || (min(id) - 1)::text || '|' || max(id)::text) FROM events HAVING count(*) > 0
    ), due_notified AS MATERIALIZED (
      -- When tasks for later become due (TASKS_DUE_CHANNEL, as store/statement.ts sends it: the
      -- earliest DUE_TIMES), in ms from now by the clock.
      SELECT pg_notify('task_due', string_agg(ms::text || ':' || kind, ',' ORDER BY ms)) FROM (
        SELECT DISTINCT ceil(extract(epoch FROM created.run_at - clock_timestamp()) * 1000)::bigint AS ms, created.kind
        FROM created, complete WHERE complete.yes AND created.run_at > clock_timestamp() ORDER BY ms LIMIT 20
      ) AS soon HAVING count(*) > 0
    )
    SELECT (SELECT array_agg(changed.id) FROM changed), (SELECT count(*) FROM notified) + (SELECT count(*) FROM due_notified)
    INTO fresh, notices;
    written := written || coalesce(fresh, '{}');
    IF cardinality(written) = cardinality(staged) THEN
      RETURN NULL;
    END IF;
    -- Not inserted after all (its idempotency key came in meanwhile): the window is not its.
    DELETE FROM task_unique_windows w WHERE w.task_id IN (SELECT s.id FROM unnest(staged) s WHERE s.id <> ALL (written));
    -- The first task, in call order, whose key is held fails the commit, naming the key.
    FOR intent IN SELECT s.* FROM unnest(staged) s WHERE s.id <> ALL (written) ORDER BY s.id LOOP
      SELECT * INTO taken FROM create_task_holder(intent.idempotency_key, intent.unique_key, intent.unique_seconds);
      IF taken.holder IS NOT NULL THEN
        RAISE EXCEPTION 'create_task: % % was taken by task % before the commit of task %; the transaction is rolled back',
          taken.option, to_jsonb(taken.key)::text, taken.holder, intent.id
          USING ERRCODE = 'unique_violation', HINT = 'Run the transaction again: create_task then returns the task that holds the key.';
      END IF;
    END LOOP;
  END LOOP;
  RAISE EXCEPTION 'create_task: a task key changed hands repeatedly while task % was being created',
    (SELECT min(s.id) FROM unnest(staged) s WHERE s.id <> ALL (written)) USING ERRCODE = 'serialization_failure';
END $$;
--> statement-breakpoint
-- Deferred to the commit, so nothing of the queue is locked before it. FOR EACH ROW, as a
-- statement-level trigger cannot be a constraint trigger (nor deferred): the first firing writes
-- them all.
CREATE CONSTRAINT TRIGGER task_intents_commit AFTER INSERT ON task_intents DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION create_task_commit();
