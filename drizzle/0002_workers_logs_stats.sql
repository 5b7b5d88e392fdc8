CREATE TYPE "public"."worker_kind" AS ENUM('embedded', 'external');--> statement-breakpoint
CREATE TYPE "public"."worker_state" AS ENUM('active', 'paused', 'stopping', 'offline');--> statement-breakpoint
CREATE TABLE "task_counts" (
	"kind" text NOT NULL,
	"status" "task_status" NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "task_counts_kind_status_pk" PRIMARY KEY("kind","status")
);
--> statement-breakpoint
CREATE TABLE "task_finishes" (
	"second" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"status" "task_status" NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "task_finishes_second_kind_status_pk" PRIMARY KEY("second","kind","status")
);
--> statement-breakpoint
CREATE TABLE "workers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" "worker_kind" NOT NULL,
	"host" text,
	"pid" integer,
	"kinds" text[] NOT NULL,
	"concurrency" integer NOT NULL,
	"running" integer DEFAULT 0 NOT NULL,
	"processed" bigint DEFAULT 0 NOT NULL,
	"succeeded" bigint DEFAULT 0 NOT NULL,
	"failed" bigint DEFAULT 0 NOT NULL,
	"state" "worker_state" DEFAULT 'active' NOT NULL,
	"lease_seconds" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cancelled_task_ids" bigint[] DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "log_lines" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "log_bytes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "tasks_finished_idx" ON "tasks" USING btree ("finished_at") WHERE finished_at IS NOT NULL;
--> statement-breakpoint
-- Hand-written from here: the triggers that keep task_counts and task_finishes exact. They are
-- statement-level with transition tables, so a batch of 1,000 claims costs one upsert per kind and
-- status, not 1,000. Upserts go in (kind, status) order, so two statements never lock the same
-- counter rows in opposite orders.
CREATE FUNCTION task_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO task_counts AS c (kind, status, n)
    SELECT kind, status, count(*) FROM new_rows GROUP BY kind, status ORDER BY kind, status
    ON CONFLICT (kind, status) DO UPDATE SET n = c.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO task_counts AS c (kind, status, n)
    SELECT kind, status, -count(*) FROM old_rows GROUP BY kind, status ORDER BY kind, status
    ON CONFLICT (kind, status) DO UPDATE SET n = c.n + excluded.n;
  ELSE
    -- One pass over the transition tables: the net change per kind and status.
    WITH changes AS MATERIALIZED (
      SELECT kind, status, sum(d) AS d FROM (
        SELECT kind, status, -1 AS d FROM old_rows
        UNION ALL
        SELECT kind, status, 1 AS d FROM new_rows
      ) moved GROUP BY kind, status HAVING sum(d) <> 0
    ), counted AS (
      INSERT INTO task_counts AS c (kind, status, n)
      SELECT kind, status, d FROM changes ORDER BY kind, status
      ON CONFLICT (kind, status) DO UPDATE SET n = c.n + excluded.n
    )
    -- Tasks this statement moved into a final status: more final rows after than before, per
    -- kind and status (an update that leaves a finished task finished nets zero).
    INSERT INTO task_finishes AS f (second, kind, status, n)
    SELECT date_trunc('second', now()), kind, status, d FROM changes
    WHERE d > 0 AND status NOT IN ('pending', 'running') ORDER BY kind, status
    ON CONFLICT (second, kind, status) DO UPDATE SET n = f.n + excluded.n;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION task_counts_apply();
--> statement-breakpoint
CREATE TRIGGER task_counts_update AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION task_counts_apply();
--> statement-breakpoint
CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION task_counts_apply();
--> statement-breakpoint
-- Counts of the tasks already stored. The ALTER TABLE above holds tasks exclusively until this
-- migration commits, so no write slips between the count and the triggers.
INSERT INTO task_counts (kind, status, n) SELECT kind, status, count(*) FROM tasks GROUP BY kind, status;
