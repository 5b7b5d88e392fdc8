CREATE TABLE "queues" (
	"name" text PRIMARY KEY NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"concurrency" integer,
	"key_concurrency" integer,
	"rate_limit" integer,
	"rate_period_seconds" integer,
	"rate_starts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_unique_windows" (
	"unique_key" text PRIMARY KEY NOT NULL,
	"task_id" bigint NOT NULL,
	"until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "task_counts" ADD COLUMN "queue" text DEFAULT 'default' NOT NULL;
--> statement-breakpoint
ALTER TABLE "task_finishes" ADD COLUMN "queue" text DEFAULT 'default' NOT NULL;
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "queue" text DEFAULT 'default' NOT NULL;
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "concurrency_key" text;
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "waiting_for" text;
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "unique_key" text;
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "unique_until" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "task_counts" DROP CONSTRAINT "task_counts_kind_status_pk";
--> statement-breakpoint
ALTER TABLE "task_finishes" DROP CONSTRAINT "task_finishes_second_kind_status_pk";
--> statement-breakpoint
ALTER TABLE "task_counts" ADD CONSTRAINT "task_counts_queue_kind_status_pk" PRIMARY KEY("queue","kind","status");
--> statement-breakpoint
ALTER TABLE "task_finishes" ADD CONSTRAINT "task_finishes_second_queue_kind_status_pk" PRIMARY KEY("second","queue","kind","status");
--> statement-breakpoint
DROP INDEX "tasks_claim_idx";
--> statement-breakpoint
CREATE INDEX "tasks_queue_held_idx" ON "tasks" USING btree ("queue","priority" DESC NULLS LAST,"run_at","id") WHERE status = 'pending' AND waiting_for IN ('QUEUE_PAUSED', 'QUEUE_CONCURRENCY', 'RATE_LIMIT');
--> statement-breakpoint
CREATE INDEX "tasks_key_pending_idx" ON "tasks" USING btree ("queue","concurrency_key","priority" DESC NULLS LAST,"run_at","id") WHERE status = 'pending' AND concurrency_key IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "tasks_running_key_idx" ON "tasks" USING btree ("queue","concurrency_key") WHERE status = 'running' AND concurrency_key IS NOT NULL;
--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_unique_active_idx" ON "tasks" USING btree ("unique_key") WHERE unique_key IS NOT NULL AND unique_until IS NULL AND status IN ('pending', 'running');
--> statement-breakpoint
CREATE INDEX "tasks_claim_idx" ON "tasks" USING btree ("priority" DESC NULLS LAST,"run_at","id") WHERE status = 'pending' AND waiting_for IS NULL;
--> statement-breakpoint
-- Hand-written from here. Every queue that tasks already name has its row.
INSERT INTO queues (name) SELECT 'default' UNION SELECT DISTINCT queue FROM tasks ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- The counters of drizzle/0002, per queue too (existing rows are all of queue 'default').
CREATE OR REPLACE FUNCTION task_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO task_counts AS c (queue, kind, status, n)
    SELECT queue, kind, status, count(*) FROM new_rows GROUP BY queue, kind, status ORDER BY queue, kind, status
    ON CONFLICT (queue, kind, status) DO UPDATE SET n = c.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO task_counts AS c (queue, kind, status, n)
    SELECT queue, kind, status, -count(*) FROM old_rows GROUP BY queue, kind, status ORDER BY queue, kind, status
    ON CONFLICT (queue, kind, status) DO UPDATE SET n = c.n + excluded.n;
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
    WHERE d > 0 AND status NOT IN ('pending', 'running') ORDER BY queue, kind, status
    ON CONFLICT (second, queue, kind, status) DO UPDATE SET n = f.n + excluded.n;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Releases tasks held by their queue once it has room: not paused, under its concurrency, with
-- starts left in its rate window; only those held for one of `reasons`, head first (priority,
-- run_at, id), up to release_limit in all. No lock on the queue: a release need not be exact, since
-- the claim's gate decides again, under the queue's row lock, whether each released task may start
-- (one released too many is held again). Held tasks another statement has locked are skipped. A
-- claim releases RATE_LIMIT holds (nothing else happens when a rate window passes); the others
-- come back when a task of the queue leaves running (store/statement.ts, releaseHolds), when the
-- queue's rules change, and in the sweep (store/queues/release-queue-holds.ts). released_before:
-- the tasks a caller released from these queues in the statements just before, still to be
-- claimed, which take room too. Returns the ids.
CREATE FUNCTION release_queue_holds(candidates text[], release_limit int, reasons text[], released_before int) RETURNS bigint[]
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  q queues;
  room int;
  released bigint[] := '{}';
  taken bigint[];
BEGIN
  FOR q IN SELECT * FROM queues WHERE name = ANY(candidates) AND NOT paused ORDER BY name LOOP
    room := release_limit - cardinality(released);
    EXIT WHEN room <= 0;
    IF q.concurrency IS NOT NULL THEN
      room := least(room, q.concurrency - released_before - (SELECT coalesce(sum(n), 0) FROM task_counts WHERE queue = q.name AND status = 'running')::int);
    END IF;
    IF q.rate_limit IS NOT NULL THEN
      room := least(room, q.rate_limit - released_before - coalesce((
        SELECT sum((s ->> 1)::int) FROM jsonb_array_elements(q.rate_starts) AS s
        WHERE (s ->> 0)::float8 > extract(epoch FROM clock_timestamp()) * 1000 - q.rate_period_seconds * 1000), 0)::int);
    END IF;
    IF room > 0 THEN
      taken := ARRAY(
        SELECT id FROM tasks
        WHERE status = 'pending' AND waiting_for IN ('QUEUE_PAUSED', 'QUEUE_CONCURRENCY', 'RATE_LIMIT') AND queue = q.name
          AND waiting_for = ANY(reasons) AND run_at <= now()
        ORDER BY priority DESC NULLS LAST, run_at, id LIMIT room FOR UPDATE SKIP LOCKED);
      UPDATE tasks SET waiting_for = NULL, updated_at = now() WHERE id = ANY(taken);
      released := released || taken;
    END IF;
  END LOOP;
  RETURN released;
END $$;
--> statement-breakpoint
-- Decides, for due candidates in a queue with a rule or with a concurrency key, which start and
-- which are held, and why. Called by claim_tasks with the candidates locked and the rows of their
-- queues locked, so two claims of one queue decide one after the other, each counting what the
-- other started (this statement's snapshot is taken after the locks). In claim order: the first
-- candidates take the room there is. Returns (id, reason): reason null to start, else the hold.
CREATE FUNCTION gate_candidates(ids bigint[]) RETURNS TABLE (id bigint, reason text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  c record;
  queue_running jsonb;
  key_running jsonb;
  rate_used jsonb;
  taken jsonb := '{}';
  k text;
  n int;
BEGIN
  -- A queue's running tasks from task_counts, which the triggers keep exact in the statements
  -- that change them (an index over every running task's queue would cost every claim).
  queue_running := coalesce((SELECT jsonb_object_agg(r.queue, r.n) FROM (
    SELECT c.queue, sum(c.n) AS n FROM task_counts c
    WHERE c.status = 'running' AND c.queue IN (SELECT DISTINCT queue FROM tasks WHERE tasks.id = ANY(ids)) GROUP BY c.queue) r), '{}');
  -- Each count only where it can matter: keys among the candidates, rates among their queues.
  key_running := '{}';
  IF EXISTS (SELECT 1 FROM tasks WHERE tasks.id = ANY(ids) AND concurrency_key IS NOT NULL) THEN
  key_running := coalesce((SELECT jsonb_object_agg(r.queue || E'\x1f' || r.concurrency_key, r.n) FROM (
    SELECT t.queue, t.concurrency_key, count(*) AS n FROM tasks t
    WHERE t.status = 'running' AND t.concurrency_key IS NOT NULL AND (t.queue, t.concurrency_key) IN (
      SELECT DISTINCT queue, concurrency_key FROM tasks WHERE tasks.id = ANY(ids) AND concurrency_key IS NOT NULL)
    GROUP BY t.queue, t.concurrency_key) r), '{}');
  END IF;
  rate_used := coalesce((SELECT jsonb_object_agg(q.name, (
      SELECT coalesce(sum((s ->> 1)::int), 0) FROM jsonb_array_elements(q.rate_starts) AS s
      WHERE (s ->> 0)::float8 > extract(epoch FROM clock_timestamp()) * 1000 - q.rate_period_seconds * 1000))
    FROM queues q WHERE q.rate_limit IS NOT NULL AND q.name IN (SELECT DISTINCT queue FROM tasks WHERE tasks.id = ANY(ids))), '{}');
  FOR c IN
    SELECT t.id, t.queue, t.concurrency_key, t.priority, t.run_at, q.paused, q.concurrency, coalesce(q.key_concurrency, 1) AS key_limit, q.rate_limit
    FROM tasks t JOIN queues q ON q.name = t.queue
    WHERE t.id = ANY(ids) ORDER BY t.priority DESC NULLS LAST, t.run_at, t.id
  LOOP
    id := c.id;
    reason := NULL;
    n := coalesce((taken ->> c.queue)::int, 0);
    IF c.paused THEN
      reason := 'QUEUE_PAUSED';
    ELSIF c.concurrency IS NOT NULL AND coalesce((queue_running ->> c.queue)::int, 0) + n >= c.concurrency THEN
      reason := 'QUEUE_CONCURRENCY';
    ELSIF c.rate_limit IS NOT NULL AND coalesce((rate_used ->> c.queue)::int, 0) + n >= c.rate_limit THEN
      reason := 'RATE_LIMIT';
    ELSIF c.concurrency_key IS NOT NULL THEN
      k := c.queue || E'\x1f' || c.concurrency_key;
      -- The key's earlier due tasks this claim does not have (held, just released, or locked by
      -- another claim) go first, in priority and runAt order: they count toward its limit.
      IF coalesce((key_running ->> k)::int, 0) + coalesce((taken ->> k)::int, 0) + (
        SELECT count(*) FROM (
          SELECT 1 FROM tasks p
          WHERE p.status = 'pending' AND p.concurrency_key IS NOT NULL AND p.queue = c.queue AND p.concurrency_key = c.concurrency_key
            AND p.run_at <= now() AND p.id <> ALL(ids)
            AND (p.priority > c.priority OR (p.priority = c.priority AND (p.run_at, p.id) < (c.run_at, c.id)))
          LIMIT c.key_limit) AS earlier) >= c.key_limit THEN
        reason := 'KEY_CONCURRENCY';
      ELSE
        taken := jsonb_set(taken, ARRAY[k], to_jsonb(coalesce((taken ->> k)::int, 0) + 1));
      END IF;
    END IF;
    IF reason IS NULL THEN
      taken := jsonb_set(taken, ARRAY[c.queue], to_jsonb(n + 1));
    END IF;
    RETURN NEXT;
  END LOOP;
END $$;
--> statement-breakpoint
-- claim_tasks as in drizzle/0004-0006, with queues' rules and concurrency keys. The common claim,
-- where no candidate is in a queue with a rule and none has a key, is the statement it was: one
-- read of the claim index in claim order, one UPDATE. Otherwise (see gate_candidates) the rows of
-- the candidates' queues are locked, the candidates that may start are claimed and the others
-- held: marked with the reason, out of the claim index, so later claims do not scan past them.
-- Every claim first releases the tasks held for a rate whose window has room again; a RATE_LIMIT
-- hold notifies task_due with when that is, so the claimers of its kinds claim then. Returns the
-- rows it changed: claimed (running), held (pending, waiting_for set) and released (pending, not).
-- The queue rows are locked after the candidates and in name order, by claims only (a release
-- does not lock them, a create does not write over them), so claims wait for each other in turn
-- and no cycle of waits can form.
CREATE OR REPLACE FUNCTION claim_tasks(claim_worker text, claim_kinds text[], claim_limit int, lease_seconds int)
RETURNS SETOF tasks LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off SET enable_bitmapscan = off SET jit = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  ids bigint[];
  ruled text[];
  rated text[];
  released bigint[] := '{}';
  gated bigint[];
  allowed bigint[];
  held_ids bigint[] := '{}';
  held_reasons text[];
  at_ms float8;
BEGIN
  -- A worker paused or scaled to zero claims nothing from the moment that change commits, even
  -- before its process has heard of it.
  IF EXISTS (SELECT 1 FROM workers w WHERE w.id = claim_worker AND (w.state = 'paused' OR w.concurrency = 0)) THEN
    RETURN;
  END IF;
  -- The queues with a rule: a handful of rows, read without a lock.
  ruled := ARRAY(SELECT name FROM queues WHERE paused OR concurrency IS NOT NULL OR rate_limit IS NOT NULL);
  IF cardinality(ruled) > 0 THEN
    -- A probe of the held index per rate-limited queue (a subquery with LIMIT, not an EXISTS the
    -- planner may make a join that reads every held task).
    rated := ARRAY(SELECT name FROM queues q WHERE q.rate_limit IS NOT NULL AND NOT q.paused AND (
      SELECT true FROM tasks h WHERE h.status = 'pending' AND h.waiting_for IN ('QUEUE_PAUSED', 'QUEUE_CONCURRENCY', 'RATE_LIMIT')
        AND h.queue = q.name AND h.waiting_for = 'RATE_LIMIT' LIMIT 1));
    IF cardinality(rated) > 0 THEN
      released := release_queue_holds(rated, claim_limit, '{RATE_LIMIT}', 0);
    END IF;
  END IF;
  -- The candidates, and those of them a rule or a key applies to, in one read.
  SELECT coalesce(array_agg(c.id), '{}'), coalesce(array_agg(c.id) FILTER (WHERE c.concurrency_key IS NOT NULL OR c.queue = ANY(ruled)), '{}')
    INTO ids, gated
    FROM (
      SELECT id, queue, concurrency_key FROM tasks
      WHERE status = 'pending' AND waiting_for IS NULL AND run_at <= now() AND kind = ANY(claim_kinds)
      ORDER BY priority DESC NULLS LAST, run_at, id
      LIMIT claim_limit
      FOR UPDATE SKIP LOCKED) c;
  -- An empty claim (an idle poll) takes no lock.
  IF cardinality(ids) = 0 AND cardinality(released) = 0 THEN
    RETURN;
  END IF;
  allowed := ids;
  IF cardinality(gated) > 0 THEN
    allowed := ARRAY(SELECT unnest(ids) EXCEPT SELECT unnest(gated));
    PERFORM 1 FROM queues WHERE name IN (SELECT DISTINCT queue FROM tasks WHERE id = ANY(gated)) ORDER BY name FOR UPDATE;
    SELECT coalesce(array_agg(g.id) FILTER (WHERE g.reason IS NULL), '{}'),
           coalesce(array_agg(g.id) FILTER (WHERE g.reason IS NOT NULL), '{}'),
           coalesce(array_agg(g.reason) FILTER (WHERE g.reason IS NOT NULL), '{}')
      INTO gated, held_ids, held_reasons FROM gate_candidates(gated) g;
    allowed := allowed || gated;
    IF cardinality(held_ids) > 0 THEN
      UPDATE tasks t SET waiting_for = h.reason, updated_at = now()
        FROM unnest(held_ids, held_reasons) AS h (id, reason) WHERE t.id = h.id;
    END IF;
    IF EXISTS (SELECT 1 FROM queues WHERE rate_limit IS NOT NULL AND name IN (SELECT queue FROM tasks WHERE id = ANY(held_ids || gated))) THEN
      -- By the clock, not the statement's start: the claim may have waited for the queue's lock.
      at_ms := extract(epoch FROM clock_timestamp()) * 1000;
      -- The starts of rate-limited queues, and the ones that went out of the window, forgotten.
      UPDATE queues q SET rate_starts = coalesce((
          SELECT jsonb_agg(s) FROM jsonb_array_elements(q.rate_starts) AS s
          WHERE (s ->> 0)::float8 > at_ms - q.rate_period_seconds * 1000), '[]'::jsonb)
          || jsonb_build_array(jsonb_build_array(round(at_ms), started.n))
        FROM (SELECT queue, count(*) AS n FROM tasks WHERE id = ANY(gated) GROUP BY queue) started
        WHERE q.name = started.queue AND q.rate_limit IS NOT NULL;
      -- A rate-limited queue that holds tasks for its rate: when the first start in its window
      -- leaves it, the claimers of the kinds at the head of its held tasks claim (and release them).
      PERFORM pg_notify('task_due', string_agg(due.ms::text || ':' || due.kind, ',' ORDER BY due.ms))
        FROM (
          SELECT DISTINCT greatest(1, ceil(w.first + q.rate_period_seconds * 1000 - at_ms))::bigint AS ms, head.kind
          FROM queues q,
            LATERAL (SELECT min((s ->> 0)::float8) AS first FROM jsonb_array_elements(q.rate_starts) AS s
              WHERE (s ->> 0)::float8 > at_ms - q.rate_period_seconds * 1000) w,
            LATERAL (
              SELECT h.kind FROM tasks h
              WHERE h.status = 'pending' AND h.waiting_for IN ('QUEUE_PAUSED', 'QUEUE_CONCURRENCY', 'RATE_LIMIT') AND h.queue = q.name
                AND h.waiting_for = 'RATE_LIMIT'
              ORDER BY h.priority DESC NULLS LAST, h.run_at, h.id LIMIT q.rate_limit) head
          WHERE q.rate_limit IS NOT NULL AND w.first IS NOT NULL AND q.name IN (SELECT queue FROM tasks WHERE id = ANY(held_ids || gated))
        ) due HAVING count(*) > 0;
    END IF;
  END IF;
  RETURN QUERY
    WITH claimed AS (
      UPDATE tasks t SET status = 'running', attempts = t.attempts + 1, worker_id = claim_worker,
        -- A start a rate counted is dated as the rate counted it, so the window holds for startedAt.
        started_at = coalesce(to_timestamp(at_ms / 1000), now()), updated_at = now(), error = NULL,
        lease_expires_at = now() + make_interval(secs => lease_seconds)
      WHERE t.id = ANY(allowed)
      RETURNING t.*
    ), locked AS MATERIALIZED (
      SELECT pg_advisory_xact_lock(task_event_lock()) FROM (SELECT count(*) FROM claimed) AS all_claimed
    )
    SELECT claimed.* FROM claimed, locked
    UNION ALL
    SELECT t.* FROM tasks t, locked WHERE t.id = ANY(held_ids || released) AND t.id <> ALL(allowed);
END $$;
