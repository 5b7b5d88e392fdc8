-- Hand-written: the key of the event lock in one place. Every event-writing statement takes this
-- transaction-scoped advisory lock just before it draws its first event id and holds it until
-- commit, so event ids are in commit order; claim_tasks takes it too (drizzle/0004).
-- Immutable, so the planner inlines it to its constant: the statements' plans are unchanged.
-- Servers of the previous version use the same number as a literal, so a rolling upgrade takes
-- one lock.
CREATE FUNCTION task_event_lock() RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT 7411002::bigint';
--> statement-breakpoint
-- claim_tasks as in drizzle/0004, reading the key from task_event_lock(). CREATE OR REPLACE drops
-- settings made with ALTER FUNCTION, so every one of them (0004, 0005) is restated here.
CREATE OR REPLACE FUNCTION claim_tasks(claim_worker text, claim_kinds text[], claim_limit int, lease_seconds int)
RETURNS SETOF tasks LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off SET enable_bitmapscan = off SET jit = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  ids bigint[];
BEGIN
  -- A worker paused or scaled to zero claims nothing from the moment that change commits, even
  -- before its process has heard of it.
  IF EXISTS (SELECT 1 FROM workers w WHERE w.id = claim_worker AND (w.state = 'paused' OR w.concurrency = 0)) THEN
    RETURN;
  END IF;
  ids := ARRAY(
    SELECT id FROM tasks
    WHERE status = 'pending' AND run_at <= now() AND kind = ANY(claim_kinds)
    ORDER BY priority DESC NULLS LAST, run_at, id
    LIMIT claim_limit
    FOR UPDATE SKIP LOCKED);
  -- An empty claim (an idle poll) takes no lock.
  IF cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  RETURN QUERY
    WITH claimed AS (
      UPDATE tasks t SET status = 'running', attempts = t.attempts + 1, worker_id = claim_worker,
        started_at = now(), updated_at = now(), error = NULL,
        lease_expires_at = now() + make_interval(secs => lease_seconds)
      WHERE t.id = ANY(ids)
      RETURNING t.*
    ), locked AS MATERIALIZED (
      SELECT pg_advisory_xact_lock(task_event_lock()) FROM (SELECT count(*) FROM claimed) AS all_claimed
    )
    SELECT claimed.* FROM claimed, locked;
END $$;
