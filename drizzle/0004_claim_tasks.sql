-- Hand-written: the claim's row work as one PL/pgSQL function, for two reasons measured here
-- (bench/burst.ts).
-- 1. Its plans are not scans of the whole table. The claim statement is prepared, and after
--    five runs Postgres keeps a generic plan; one made while the table held a few rows scans the
--    whole table for the claimed ids, and goes on doing so after a burst of new tasks until
--    autovacuum analyzes the table (measured: 500-task claims 7 -> 180 ms with 100,000 tasks
--    queued). With sequential and bitmap scans ruled out (a cost the planner pays only where no
--    index serves), the ids are read in claim order from the partial index over pending tasks
--    and the rows fetched by primary key, whatever the statistics say. The settings also hold for
--    the statistics trigger the UPDATE fires; they leave its plans alone, but a plan whose cost a
--    ruled-out node inflates would cross jit_above_cost and compile for 150 ms, hence jit off.
-- 2. Its plans are kept for the session, where the SQL function claimable_task_ids was parsed and
--    planned again on every call (a 500-task claim: 7.8 -> 7.2 ms).
-- Its UPDATE fires the statistics trigger, which locks task_counts rows. Every event-writing
-- statement takes those only after the event lock (EVENT_LOCK in src/store/rows.ts), as its
-- triggers fire at its end; a trigger fired inside this function would come before the claim
-- statement takes the event lock, and that order deadlocks against the others. So the UPDATE's
-- query takes the event lock itself once its rows are updated (the claim statement takes it again,
-- which costs nothing), and its trigger fires at the end of that query, after it. Taking the lock
-- before the UPDATE instead serialized the UPDATEs of claims from different processes (measured:
-- two processes draining one queue, 8 % fewer tasks a second).
-- claimable_task_ids stays for servers of the previous version during a rolling upgrade.
CREATE FUNCTION claim_tasks(claim_worker text, claim_kinds text[], claim_limit int, lease_seconds int)
RETURNS SETOF tasks LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off SET enable_bitmapscan = off SET jit = off AS $$
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
      SELECT pg_advisory_xact_lock(7411002) FROM (SELECT count(*) FROM claimed) AS all_claimed
    )
    SELECT claimed.* FROM claimed, locked;
END $$;
