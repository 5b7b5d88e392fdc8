// Steady as history grows: one server (the whole app: executor, event pump, retention, GraphQL)
// runs --tasks no-op tasks (1 % failing) in rounds of --round, events on and pruned after
// EVENT_RETENTION (--event-retention, default 60s so that pruning works during the run). After
// each round: the round's drain rate, the p50/p99 of the dashboard's reads over HTTP, the tables'
// and indexes' sizes, and one retention pass's cost. Then --seed finished tasks are inserted
// directly and the same reads are measured over them.
//   npx tsx bench/growth.ts [--tasks=1000000] [--round=100000] [--seed=10000000] [--reads=30]
import { sql } from 'drizzle-orm';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import type { NewTask } from '../src/store/index.js';
import { keepRetention } from '../src/tasks/retention.js';
import { arg, freshDatabase, percentile } from './lib.js';

const total = Number(arg('tasks', '1000000'));
const round = Number(arg('round', '100000'));
const seed = Number(arg('seed', '10000000'));
const reads = Number(arg('reads', '30'));
const eventRetention = arg('event-retention', '60s');

const url = await freshDatabase('bench_growth');
const log = createLogger('warn');
const config = loadConfig({ DATABASE_URL: url, PORT: '0', EXECUTOR_CONCURRENCY: '24', EVENT_RETENTION: eventRetention, LOG_LEVEL: 'warn' });
const app = await createApp(config, log);
const base = await app.start();
const { db, store } = app;

const DOCUMENTS = {
  tasks: `query($status: [TaskStatus!]) { tasks(first: 50, status: $status) { totalCount pageInfo { hasNextPage endCursor }
    nodes { id kind status progress attempts maxAttempts priority createdAt startedAt finishedAt queue waitingFor } } }`,
  stats: `{ taskStats { pending running completed failed cancelled timedOut total successRate
    throughput { lastMinute lastHour } queueWait { averageMs p50Ms p95Ms } runTime { averageMs p50Ms p95Ms } } }`,
  kinds: `{ taskKinds }`,
};

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
}

/** p50 and p99 of `reads` runs of `read`, ms, after one warm-up. */
async function timed(read: () => Promise<unknown>) {
  await read();
  const ms: number[] = [];
  for (let i = 0; i < reads; i++) {
    const t = performance.now();
    await read();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: +percentile(ms, 50).toFixed(1), p99: +percentile(ms, 99).toFixed(1) };
}

async function measureReads() {
  return {
    tasks: await timed(() => gql(DOCUMENTS.tasks)),
    failed: await timed(() => gql(DOCUMENTS.tasks, { status: ['FAILED'] })),
    stats: await timed(() => gql(DOCUMENTS.stats)),
    // What the dashboard loads first: its page, then the task list, the counts and the kinds at once.
    firstLoad: await timed(async () => {
      await (await fetch(`${base}/`)).text();
      await Promise.all([gql(DOCUMENTS.tasks), gql(DOCUMENTS.stats), gql(DOCUMENTS.kinds)]);
    }),
  };
}

async function sizes() {
  const [row] = await db.query<Record<string, number>>(sql`SELECT
    (pg_table_size('tasks') / 1048576)::int AS "tasksMiB", (pg_indexes_size('tasks') / 1048576)::int AS "taskIndexesMiB",
    (pg_table_size('task_events') / 1048576)::int AS "eventsMiB", (pg_indexes_size('task_events') / 1048576)::int AS "eventIndexesMiB",
    (SELECT count(*) FROM task_events)::int AS events`);
  return row;
}

/**
 * What autovacuum would do between rounds, timed: where the machine's Postgres runs with it off
 * (as CI's does), statistics never change and plans made for an empty table stay.
 */
async function vacuum(): Promise<number> {
  const t = performance.now();
  await db.query(sql`VACUUM (ANALYZE) tasks, task_events`);
  return Math.round(performance.now() - t);
}

const task = (i: number): NewTask => ({
  kind: i % 100 === 0 ? 'fail' : 'echo', input: null, priority: 0, runAt: null, maxAttempts: 1, timeoutSeconds: 60,
  idempotencyKey: null, queue: 'default', concurrencyKey: null, uniqueKey: null, uniqueSeconds: null,
});
// Run by hand after each round (its own timer is an hour away), beside the app's own.
const pruner = keepRetention({ store, log, eventRetentionSeconds: config.eventRetentionSeconds, taskRetentionSeconds: undefined, intervalMs: 3_600_000 });
const unfinished = async () =>
  (await db.query<{ n: number }>(sql`SELECT coalesce(sum(n), 0)::int AS n FROM task_counts WHERE status IN ('pending', 'running')`))[0].n;

// The worker's row is written by its first heartbeat; a pause sent before it would be overwritten.
while ((await db.query(sql`SELECT 1 FROM workers WHERE id = ${app.executor.workerId}`)).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));

for (let done = 0; done < total; done += round) {
  // Queued while the worker is paused, then timed from its resume to the commit of the last outcome.
  await gql(`mutation($id: ID!) { pauseWorker(id: $id) { state } }`, { id: app.executor.workerId });
  while (!app.executor.paused()) await new Promise((resolve) => setTimeout(resolve, 5));
  for (let i = 0; i < round; i += 5000) await store.tasks.insertTasks(Array.from({ length: Math.min(5000, round - i) }, (_, j) => task(done + i + j)));
  const t = performance.now();
  await gql(`mutation($id: ID!) { resumeWorker(id: $id) { state } }`, { id: app.executor.workerId });
  while ((await unfinished()) > 0) await new Promise((resolve) => setTimeout(resolve, 2));
  const seconds = (performance.now() - t) / 1000;
  const pruneStart = performance.now();
  const pruned = await pruner.runOnce();
  const prune = { events: pruned.events, ms: Math.round(performance.now() - pruneStart) };
  const vacuumMs = await vacuum();
  console.log(JSON.stringify({ phase: 'run', finished: done + round, perSecond: Math.round(round / seconds), prune, vacuumMs, reads: await measureReads(), sizes: await sizes() }));
}

if (seed > 0) {
  // Finished tasks written directly, a day of history ending now, 4 % failed; statistics included.
  const t = performance.now();
  await db.query(sql`INSERT INTO tasks (kind, status, attempts, max_attempts, created_at, started_at, finished_at, updated_at, run_at, result, error)
    SELECT CASE WHEN g % 25 = 0 THEN 'fail' ELSE 'echo' END, CASE WHEN g % 25 = 0 THEN 'failed' ELSE 'completed' END::task_status, 1, 1,
      at, at, at + interval '5 ms', at, at, NULL,
      CASE WHEN g % 25 = 0 THEN '{"code":"TASK_FAILED","message":"seeded"}'::jsonb END
    FROM generate_series(1, ${seed}) AS g, LATERAL (SELECT now() - (${seed} - g) * interval '86400 s' / ${seed} AS at) a`);
  const vacuumMs = await vacuum();
  const seedSeconds = Math.round((performance.now() - t) / 1000);
  console.log(JSON.stringify({ phase: 'seeded', seeded: seed, seconds: seedSeconds, vacuumMs, reads: await measureReads(), sizes: await sizes() }));
}

pruner.stop();
await app.stop();
