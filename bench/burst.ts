// A burst into a queue whose statements were planned while it was small: claims and outcomes of
// 500 tasks, timed after 100,000 tasks arrive at a table that held one row when the executor's
// prepared statements were first run (and kept their generic plans) and when it was last analyzed.
// Prints the median claim and finish times in ms. drizzle/0004 is why the claim stays fast.
//   npx tsx bench/burst.ts [--tasks=100000]
import { sql } from 'drizzle-orm';
import { connect } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { createStore } from '../src/store/index.js';
import { arg, freshDatabase, median } from './lib.js';

const count = Number(arg('tasks', '100000'));
const url = await freshDatabase('bench_burst');
const log = createLogger('warn');
// Migrated by one pool, run by another, as a server does when another process migrated first.
const migrating = await connect({ databaseUrl: url, dataDir: '', poolSize: 2, log });
await migrate(migrating);
await migrating.close();
const db = await connect({ databaseUrl: url, dataDir: '', poolSize: 2, log });
const store = createStore(db);
const noop = { kind: 'noop', input: null, priority: 0, runAt: null, maxAttempts: 3, timeoutSeconds: 60, idempotencyKey: null, queue: 'default', concurrencyKey: null, uniqueKey: null, uniqueSeconds: null };
const finishAll = (claimed: Array<{ id: string; attempts: number }>) =>
  store.claims.finish('w1', claimed.map((x) => ({ id: x.id, attempt: x.attempts, status: 'completed' as const })));

await store.tasks.insertTasks([noop]);
await db.query(sql`ANALYZE tasks`);
// More than five runs each, so Postgres settles on generic plans made while the table is tiny.
for (let i = 0; i < 10; i++) {
  await store.tasks.insertTasks([noop]);
  await finishAll(await store.claims.claim('w1', ['noop'], 500, 30));
}
for (let i = 0; i < count; i += 5000) await store.tasks.insertTasks(Array.from({ length: Math.min(5000, count - i) }, () => noop));

const claims: number[] = [];
const finishes: number[] = [];
for (let i = 0; i < 20; i++) {
  const started = performance.now();
  const claimed = await store.claims.claim('w1', ['noop'], 500, 30);
  const claimedAt = performance.now();
  await finishAll(claimed);
  claims.push(claimedAt - started);
  finishes.push(performance.now() - claimedAt);
}
await db.close();
console.log(JSON.stringify({ queued: count, claimMs: +median(claims).toFixed(2), finishMs: +median(finishes).toFixed(2) }));
