-- Hand-written: claim_tasks keeps one generic plan per statement instead of planning each call.
-- With sequential and bitmap scans ruled out (drizzle/0004), the generic plans of the function's
-- parameterised statements carry the cost the planner gives a ruled-out node, so Postgres judged
-- them dearer than a custom plan and planned every call afresh: measured with pgbench, a one-task
-- claim at 20 ms intervals took 0.70-0.88 ms with custom plans and 0.44-0.47 ms with this. The
-- generic plans are still made with those scans ruled out, so they read the partial index over
-- pending tasks and the primary key whatever the statistics said when they were made.
ALTER FUNCTION claim_tasks(text, text[], int, int) SET plan_cache_mode = force_generic_plan;
