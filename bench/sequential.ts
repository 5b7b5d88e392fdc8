// What one task costs Postgres, with nothing running alongside: N no-op tasks claimed and
// completed a batch at a time, one statement after the other, as the executor's store calls make
// them. Prints the median time of a claim and of a batch of outcomes, the time per task, and the
// WAL written per task. Steadier than a drain on a noisy machine, so a change to the schema or a
// statement can be weighed with a few alternating runs; --sql='...' runs statements (separated by
// ;;) after the migrations, e.g. dropping an index.
import { sql } from 'drizzle-orm';
import { arg, median } from './lib.js';
import { queuedNoops } from './queued.js';

const count = Number(arg('tasks', '30000'));
const batch = Number(arg('batch', '500'));
const { db, store } = await queuedNoops('bench_sequential', count, 3);
await db.query(sql`VACUUM ANALYZE tasks`);
const walNow = async () => Number((await db.query<{ b: number }>(sql`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 AS b`))[0].b);

const wal0 = await walNow();
const claims: number[] = [];
const finishes: number[] = [];
for (;;) {
  let t = performance.now();
  const tasks = await store.claims.claim('sequential', ['noop'], batch, 30);
  if (tasks.length === 0) break;
  claims.push(performance.now() - t);
  t = performance.now();
  await store.claims.finish('sequential', tasks.map((x) => ({ id: x.id, attempt: x.attempts, status: 'completed' as const, result: null })));
  finishes.push(performance.now() - t);
}
const walBytes = (await walNow()) - wal0;
await db.close();
// The first few statements plan and warm caches.
const warm = (times: number[]) => times.slice(Math.min(5, times.length - 1));
const claim = median(warm(claims));
const finish = median(warm(finishes));
console.log(JSON.stringify({
  tasks: count, batch, claimMs: +claim.toFixed(2), finishMs: +finish.toFixed(2),
  perTaskUs: +(((claim + finish) * 1000) / batch).toFixed(1), walBytesPerTask: Math.round(walBytes / count),
}));
