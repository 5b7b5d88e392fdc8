CREATE TABLE "event_log_state" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"pruned_through" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- Hand-written: the one row the pruner advances.
INSERT INTO "event_log_state" ("id", "pruned_through") VALUES (1, 0) ON CONFLICT DO NOTHING;
