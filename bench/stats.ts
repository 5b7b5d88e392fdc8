// taskStats on a large history: N tasks (default 1,000,000) in ten kinds, most finished over the
// last two hours, then the statistics query timed R times per filter (median and p95, ms), beside
// the plain GROUP BY over the table that a count without the triggers' counters would need.
//   npx tsx bench/stats.ts --tasks=1000000 --repeat=20
import { sql } from 'drizzle-orm';
import { connect } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { createStore } from '../src/store/index.js';
import { arg, freshDatabase, median, percentile } from './lib.js';

const count = Number(arg('tasks', '1000000'));
const repeat = Number(arg('repeat', '20'));

const url = await freshDatabase('bench_stats');
const db = await connect({ databaseUrl: url, dataDir: '', poolSize: 2, log: createLogger('warn') });
await migrate(db);
const store = createStore(db);

const loadStart = performance.now();
// One statement, so the counting triggers run once over the whole batch, as they would for a bulk
// createTasks. Statuses: 90% completed, 4% failed, 2% cancelled, 1% running, 3% pending.
await db.query(sql`
  INSERT INTO tasks (kind, input, status, attempts, run_at, created_at, started_at, finished_at, updated_at, result)
  SELECT 'kind-' || (i % 10), jsonb_build_object('i', i), s.status::task_status, 1,
    t.at, t.at,
    CASE WHEN s.status <> 'pending' THEN t.at + interval '5 ms' * (i % 40) END,
    CASE WHEN s.status NOT IN ('pending', 'running') THEN t.at + interval '5 ms' * (i % 40) + interval '1 ms' * (i % 300) END,
    t.at, CASE WHEN s.status = 'completed' THEN '{"ok":true}'::jsonb END
  FROM generate_series(1, ${count}) AS i,
    LATERAL (SELECT now() - interval '2 hours' * (1 - i::float8 / ${count}) AS at) t,
    LATERAL (SELECT CASE WHEN i % 100 < 90 THEN 'completed' WHEN i % 100 < 94 THEN 'failed'
      WHEN i % 100 < 96 THEN 'cancelled' WHEN i % 100 < 97 THEN 'running' ELSE 'pending' END AS status) s`);
await db.query(sql`VACUUM ANALYZE tasks`);
const loadSeconds = (performance.now() - loadStart) / 1000;

async function time(name: string, fn: () => Promise<unknown>) {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  const sorted = samples.sort((a, b) => a - b);
  return { name, medianMs: +median(sorted).toFixed(2), p95Ms: +percentile(sorted, 95).toFixed(2) };
}

const tenMinutesAgo = new Date(Date.now() - 600_000);
const results = [
  await time('taskStats', () => store.stats.taskStats(null, null)),
  await time('taskStats(kind)', () => store.stats.taskStats('kind-3', null)),
  await time('taskStats(since: 10 min ago)', () => store.stats.taskStats(null, tenMinutesAgo)),
  await time('taskStats(kind, since)', () => store.stats.taskStats('kind-3', tenMinutesAgo)),
  await time('for comparison: SELECT status, count(*) GROUP BY status', () => db.query(sql`SELECT status, count(*) FROM tasks GROUP BY status`)),
];
const check = await store.stats.taskStats(null, null);
console.log(JSON.stringify({ tasks: count, loadSeconds: +loadSeconds.toFixed(1), total: check.total, completed: check.completed, results }, null, 1));
await db.close();
