// Whether pruning makes the executor wait: --history finished tasks (a day old) and three events
// each are seeded, then --tasks no-op tasks drain through one server while retention prunes that
// history in its batches (--prune=on) or not (--prune=off). A separate connection samples every
// 2 ms the backends waiting for a lock and which statement holds it: claims (claim_tasks) and
// outcomes (the batch update) that waited on a pruning statement are counted.
//   npx tsx bench/prune-locks.ts [--history=500000] [--tasks=100000] [--prune=on|off]
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import type { NewTask } from '../src/store/index.js';
import { keepRetention } from '../src/tasks/retention.js';
import { arg, freshDatabase, sleep } from './lib.js';

const history = Number(arg('history', '500000'));
const count = Number(arg('tasks', '100000'));
const prune = arg('prune', 'on') === 'on';

const url = await freshDatabase('bench_prune_locks');
const config = loadConfig({ DATABASE_URL: url, PORT: '0', EXECUTOR_CONCURRENCY: '24', EVENT_RETENTION: '1h', TASK_RETENTION: '1h', LOG_LEVEL: 'warn' });
const log = createLogger('warn');
const app = await createApp(config, log);
await app.start();
const { db, store } = app;
await db.query(sql`
  INSERT INTO tasks (kind, status, attempts, created_at, started_at, finished_at, updated_at, run_at)
  SELECT 'echo', 'completed', 1, at, at, at, at, at FROM generate_series(1, ${history}) g, LATERAL (SELECT now() - interval '1 day' AS at) a`);
await db.query(sql`
  INSERT INTO task_events (task_id, type, status, at)
  SELECT t.id, e.type, e.status::task_status, t.finished_at FROM tasks t,
    LATERAL (VALUES ('created', 'pending'), ('started', 'running'), ('completed', 'completed')) AS e (type, status) ORDER BY t.id`);
await db.query(sql`VACUUM ANALYZE tasks, task_events`);

const task = (): NewTask => ({
  kind: 'echo', input: null, priority: 0, runAt: null, maxAttempts: 1, timeoutSeconds: 60, idempotencyKey: null,
  queue: 'default', concurrencyKey: null, uniqueKey: null, uniqueSeconds: null,
});

const sampler = postgres(url, { max: 1, onnotice: () => {} });
const waits = { samples: 0, claimWaits: 0, outcomeWaits: 0, otherWaits: 0, onPruning: 0, byLock: {} as Record<string, number> };
let sampling = true;
const sampling$ = (async () => {
  while (sampling) {
    const rows = await sampler<{ query: string; lock: string; blocker: string | null }[]>`
      SELECT a.query, a.wait_event AS lock, (SELECT b.query FROM pg_stat_activity b WHERE b.pid = ANY(pg_blocking_pids(a.pid)) LIMIT 1) AS blocker
      FROM pg_stat_activity a WHERE a.datname = current_database() AND a.wait_event_type = 'Lock'`;
    waits.samples++;
    for (const row of rows) {
      const pruning = !!row.blocker && /DELETE FROM task_events|DELETE FROM tasks/.test(row.blocker);
      if (row.query.includes('claim_tasks')) waits.claimWaits++;
      else if (row.query.includes('jsonb_to_record(')) waits.outcomeWaits++;
      else waits.otherWaits++;
      if (pruning) waits.onPruning++;
      waits.byLock[row.lock] = (waits.byLock[row.lock] ?? 0) + 1;
    }
    await sleep(2);
  }
})();

const pruner = keepRetention({ store, log, eventRetentionSeconds: 3600, taskRetentionSeconds: 3600, intervalMs: 3_600_000 });
const t = performance.now();
for (let i = 0; i < count; i += 5000) await store.tasks.insertTasks(Array.from({ length: Math.min(5000, count - i) }, task));
let pruned = { events: 0, tasks: 0 };
let pruneSeconds = 0;
const pruning = prune ? pruner.runOnce().then((p) => ((pruned = p), (pruneSeconds = (performance.now() - t) / 1000))) : Promise.resolve();
const unfinished = async () => (await db.query<{ n: number }>(sql`SELECT coalesce(sum(n), 0)::int AS n FROM task_counts WHERE status IN ('pending', 'running')`))[0].n;
while ((await unfinished()) > 0) await sleep(5);
const seconds = (performance.now() - t) / 1000;
await pruning;
sampling = false;
await sampling$;
await sampler.end();
pruner.stop();
await app.stop();
console.log(JSON.stringify({ prune, history, tasks: count, perSecond: Math.round(count / seconds), pruned, pruneSeconds: +pruneSeconds.toFixed(1), ...waits }));
