ALTER TYPE "public"."task_status" ADD VALUE 'waiting' BEFORE 'pending';--> statement-breakpoint
CREATE TABLE "flow_counts" (
	"flow_id" bigint NOT NULL,
	"status" "task_status" NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "flow_counts_flow_id_status_pk" PRIMARY KEY("flow_id","status")
);
--> statement-breakpoint
CREATE TABLE "flows" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "flows_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text,
	"status" text DEFAULT 'running' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "task_dependencies" (
	"depends_on" bigint NOT NULL,
	"task_id" bigint NOT NULL,
	CONSTRAINT "task_dependencies_depends_on_task_id_pk" PRIMARY KEY("depends_on","task_id")
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "depends_on" bigint[];--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "dependencies_left" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "run_if_dependencies_fail" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "has_dependents" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "flow_id" bigint;--> statement-breakpoint
CREATE INDEX "tasks_flow_idx" ON "tasks" USING btree ("flow_id","id") WHERE flow_id IS NOT NULL;--> statement-breakpoint
-- Hand-written from here. Nothing below may name the status 'waiting' where it is read as a
-- task_status before this migration commits (an enum value added in a transaction cannot be used
-- in it): the functions compare it as text or read it only when they run.
--
-- The counters of drizzle/0007, a waiting task being neither finished nor running; and a flow's
-- counts and status, kept in the same statements. A flow's row is locked before its counts
-- change, so two statements that end a flow's last tasks at once see each other's counts in turn
-- and one of them marks it finished.
CREATE OR REPLACE FUNCTION task_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO task_counts AS c (queue, kind, status, n)
    SELECT queue, kind, status, count(*) FROM new_rows GROUP BY queue, kind, status ORDER BY queue, kind, status
    ON CONFLICT (queue, kind, status) DO UPDATE SET n = c.n + excluded.n;
    IF EXISTS (SELECT 1 FROM new_rows WHERE flow_id IS NOT NULL) THEN
      touched := ARRAY(SELECT DISTINCT flow_id FROM new_rows WHERE flow_id IS NOT NULL ORDER BY 1);
      PERFORM 1 FROM flows WHERE id = ANY(touched) ORDER BY id FOR UPDATE;
      INSERT INTO flow_counts AS c (flow_id, status, n)
      SELECT flow_id, status, count(*) FROM new_rows WHERE flow_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (flow_id, status) DO UPDATE SET n = c.n + excluded.n;
      PERFORM flow_refresh(touched);
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO task_counts AS c (queue, kind, status, n)
    SELECT queue, kind, status, -count(*) FROM old_rows GROUP BY queue, kind, status ORDER BY queue, kind, status
    ON CONFLICT (queue, kind, status) DO UPDATE SET n = c.n + excluded.n;
    -- Pruning finished tasks leaves their flow's status as it was; a flow with none left goes.
    IF EXISTS (SELECT 1 FROM old_rows WHERE flow_id IS NOT NULL) THEN
      touched := ARRAY(SELECT DISTINCT flow_id FROM old_rows WHERE flow_id IS NOT NULL ORDER BY 1);
      INSERT INTO flow_counts AS c (flow_id, status, n)
      SELECT flow_id, status, -count(*) FROM old_rows WHERE flow_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (flow_id, status) DO UPDATE SET n = c.n + excluded.n;
      touched := ARRAY(
        SELECT id FROM flows f WHERE f.id = ANY(touched)
          AND NOT EXISTS (SELECT 1 FROM flow_counts c WHERE c.flow_id = f.id AND c.n <> 0));
      DELETE FROM flow_counts WHERE flow_id = ANY(touched);
      DELETE FROM flows WHERE id = ANY(touched);
    END IF;
  ELSE
    -- One pass over the transition tables: the net change per queue, kind and status (a hold or
    -- a release, which changes no status, nets zero and writes nothing).
    WITH changes AS MATERIALIZED (
      SELECT queue, kind, status, sum(d) AS d FROM (
        SELECT queue, kind, status, -1 AS d FROM old_rows
        UNION ALL
        SELECT queue, kind, status, 1 AS d FROM new_rows
      ) moved GROUP BY queue, kind, status HAVING sum(d) <> 0
    ), counted AS (
      INSERT INTO task_counts AS c (queue, kind, status, n)
      SELECT queue, kind, status, d FROM changes ORDER BY queue, kind, status
      ON CONFLICT (queue, kind, status) DO UPDATE SET n = c.n + excluded.n
    )
    INSERT INTO task_finishes AS f (second, queue, kind, status, n)
    SELECT date_trunc('second', now()), queue, kind, status, d FROM changes
    WHERE d > 0 AND status::text NOT IN ('waiting', 'pending', 'running') ORDER BY queue, kind, status
    ON CONFLICT (second, queue, kind, status) DO UPDATE SET n = f.n + excluded.n;
    -- A task's flow never changes; a lease renewal or a progress report of a flow's task, which
    -- changes no status, takes no lock.
    IF EXISTS (SELECT 1 FROM new_rows WHERE flow_id IS NOT NULL) THEN
      touched := ARRAY(
        SELECT DISTINCT n.flow_id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.flow_id IS NOT NULL AND n.status <> o.status ORDER BY 1);
      IF cardinality(touched) > 0 THEN
        PERFORM 1 FROM flows WHERE id = ANY(touched) ORDER BY id FOR UPDATE;
        INSERT INTO flow_counts AS c (flow_id, status, n)
        SELECT flow_id, status, sum(d) FROM (
          SELECT flow_id, status, -1 AS d FROM old_rows WHERE flow_id = ANY(touched)
          UNION ALL
          SELECT flow_id, status, 1 AS d FROM new_rows WHERE flow_id = ANY(touched)
        ) moved GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
        ON CONFLICT (flow_id, status) DO UPDATE SET n = c.n + excluded.n;
        PERFORM flow_refresh(touched);
      END IF;
    END IF;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A flow is running while any of its tasks is waiting, pending or running; then completed if every
-- one completed, else failed. finished_at is when it last left running.
CREATE FUNCTION flow_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  -- PL/pgSQL, not SQL: its plan is kept for the session (a SQL function's body is planned at every
  -- call, measured at several milliseconds of a flow task's outcome statement).
  UPDATE flows f SET status = s.status,
    finished_at = CASE WHEN s.status = 'running' THEN NULL ELSE now() END
  FROM (
    SELECT flow_id,
      CASE WHEN bool_or(n > 0 AND status::text IN ('waiting', 'pending', 'running')) THEN 'running'
           WHEN bool_and(n = 0 OR status::text = 'completed') THEN 'completed'
           ELSE 'failed' END AS status
    FROM flow_counts WHERE flow_id = ANY(ids) GROUP BY flow_id) s
  WHERE f.id = s.flow_id AND f.status <> s.status;
END $$;
--> statement-breakpoint
-- Settles the dependents of tasks that have just ended (`ended`, read as they are now, in the
-- calling statement): a dependency that completed, or that ended otherwise for a dependent created
-- with run_if_dependencies_fail, counts down the dependent's dependencies_left, and the last one
-- makes it pending; one that failed, was cancelled or timed out cancels the other waiting
-- dependents with DEPENDENCY_FAILED naming it, and theirs in turn, down the graph. Dependents are
-- locked in id order. PL/pgSQL, VOLATILE: each of its statements reads a fresh snapshot, so a
-- dependent whose creation committed while the caller waited for the dependency's row (creating
-- one updates that row) is seen. With take_worker, up to take_limit of the tasks made ready that
-- the worker runs (take_kinds), in no queue with a rule and with no concurrency key (those go
-- through the claim's gate), are started for it at once, leased for take_lease seconds: the
-- executor whose outcome made them ready runs them without a notification and a claim. Returns the
-- events to write: `ready`, `cancelled`, and `started` for those taken.
CREATE FUNCTION task_settle_dependents(ended bigint[], take_worker text DEFAULT NULL, take_kinds text[] DEFAULT '{}',
  take_limit int DEFAULT 0, take_lease int DEFAULT 0)
RETURNS TABLE (event_task_id bigint, event_type text, event_status task_status, event_data jsonb)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  r record;
  done bigint[];
  failed bigint[];
  ready bigint[] := '{}';
BEGIN
  done := ARRAY(SELECT id FROM tasks WHERE id = ANY(ended) AND status::text = 'completed');
  failed := ARRAY(SELECT id FROM tasks WHERE id = ANY(ended) AND status::text <> 'completed');
  WHILE cardinality(done) + cardinality(failed) > 0 LOOP
    ended := '{}';
    -- The dependents are locked first, then the event lock is taken, before any of them changes:
    -- their changes' statistics (the counters' trigger, fired by each statement here) lock counter
    -- rows, which every other statement locks only after the event lock; taken the other way
    -- round, a claim holding the event lock and waiting for a counter row would deadlock with
    -- this. (A later round, a cascade of cancels, locks its dependents under the event lock.)
    PERFORM 1 FROM tasks t WHERE t.id IN (SELECT d.task_id FROM task_dependencies d WHERE d.depends_on = ANY(done || failed))
      AND t.status::text = 'waiting' ORDER BY t.id FOR UPDATE;
    IF FOUND THEN
      PERFORM pg_advisory_xact_lock(task_event_lock());
    END IF;
    FOR r IN
      WITH hit AS (
        SELECT d.task_id AS id,
          count(*) FILTER (WHERE d.depends_on = ANY(done)) AS done_n,
          count(*) FILTER (WHERE d.depends_on = ANY(failed)) AS failed_n,
          min(d.depends_on) FILTER (WHERE d.depends_on = ANY(failed)) AS culprit
        FROM task_dependencies d WHERE d.depends_on = ANY(done || failed) GROUP BY d.task_id
      ), locked AS MATERIALIZED (
        SELECT t.id FROM tasks t WHERE t.id IN (SELECT id FROM hit) AND t.status::text = 'waiting' ORDER BY t.id FOR UPDATE
      ), step AS (
        SELECT h.*, t.run_if_dependencies_fail AS anyway,
          t.dependencies_left - h.done_n - CASE WHEN t.run_if_dependencies_fail THEN h.failed_n ELSE 0 END AS left_after
        FROM hit h JOIN locked l USING (id) JOIN tasks t USING (id)
      ), moved AS (
        UPDATE tasks t SET dependencies_left = s.left_after, updated_at = now(),
          status = (CASE WHEN s.failed_n > 0 AND NOT s.anyway THEN 'cancelled' WHEN s.left_after <= 0 THEN 'pending' ELSE 'waiting' END)::task_status,
          error = CASE WHEN s.failed_n > 0 AND NOT s.anyway THEN jsonb_build_object('code', 'DEPENDENCY_FAILED',
            'message', format('dependency %s ended %s', s.culprit, upper((SELECT p.status::text FROM tasks p WHERE p.id = s.culprit))),
            'dependencyId', s.culprit::text) END,
          finished_at = CASE WHEN s.failed_n > 0 AND NOT s.anyway THEN now() END,
          run_at = CASE WHEN s.left_after <= 0 THEN greatest(t.run_at, now()) ELSE t.run_at END
        FROM step s WHERE t.id = s.id
        RETURNING t.id, t.status, t.error, t.has_dependents
      )
      SELECT * FROM moved WHERE status::text <> 'waiting' ORDER BY id
    LOOP
      event_task_id := r.id;
      event_status := r.status;
      IF r.status::text = 'cancelled' THEN
        event_type := 'cancelled';
        event_data := jsonb_build_object('error', r.error);
        IF r.has_dependents THEN ended := ended || r.id; END IF;
      ELSE
        event_type := 'ready';
        event_data := NULL;
        ready := ready || r.id;
      END IF;
      RETURN NEXT;
    END LOOP;
    done := '{}';
    failed := ended;
  END LOOP;
  IF take_limit > 0 AND cardinality(ready) > 0 AND NOT EXISTS (
    SELECT 1 FROM workers w WHERE w.id = take_worker AND (w.state = 'paused' OR w.concurrency = 0)) THEN
    FOR r IN
      UPDATE tasks t SET status = 'running', attempts = t.attempts + 1, worker_id = take_worker, started_at = now(),
        updated_at = now(), error = NULL, lease_expires_at = now() + make_interval(secs => take_lease)
      FROM (
        SELECT c.id FROM tasks c
        WHERE c.id = ANY(ready) AND c.status::text = 'pending' AND c.waiting_for IS NULL AND c.concurrency_key IS NULL
          AND c.run_at <= now() AND c.kind = ANY(take_kinds)
          AND NOT EXISTS (SELECT 1 FROM queues q WHERE q.name = c.queue AND (q.paused OR q.concurrency IS NOT NULL OR q.rate_limit IS NOT NULL))
        ORDER BY c.priority DESC NULLS LAST, c.run_at, c.id LIMIT take_limit
        FOR UPDATE SKIP LOCKED) s
      WHERE t.id = s.id
      RETURNING t.id, t.attempts
    LOOP
      event_task_id := r.id;
      event_type := 'started';
      event_status := 'running';
      event_data := jsonb_build_object('attempt', r.attempts, 'workerId', take_worker);
      RETURN NEXT;
    END LOOP;
  END IF;
END $$;
