-- The trace of the request that created a task (a W3C traceparent), for the spans of its attempts
-- to link to. Nullable with no default: adding it rewrites nothing, and untraced tasks store NULL.
ALTER TABLE "tasks" ADD COLUMN "trace_parent" text;
