// A fresh database of this product, migrated, with N no-op tasks already queued: where the drain
// benchmarks of this product start. --sql='...' runs statements (separated by ;;) after the
// migrations, before the tasks are queued (an experiment, e.g. dropping an index).
// --queue-concurrency=N puts them in a queue of that concurrency; --keys=N spreads them over N
// concurrency keys (one at a time each).
import { sql } from 'drizzle-orm';
import { connect } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { createStore } from '../src/store/index.js';
import type { NewTask } from '../src/store/index.js';
import { arg, databaseOptions, freshDatabase } from './lib.js';

export async function queuedNoops(name: string, count: number, poolSize: number) {
  const url = await freshDatabase(name);
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const db = await connect({ ...databaseOptions(url), dataDir: '', poolSize, log });
  await migrate(db);
  const store = createStore(db);
  for (const statement of arg('sql', '').split(';;').filter((s) => s.trim())) await db.query(sql.raw(statement));
  const queueConcurrency = arg('queue-concurrency', '');
  const keys = Number(arg('keys', '0'));
  const queue = queueConcurrency ? 'limited' : keys ? 'keyed' : 'default';
  if (queueConcurrency) await store.queues.changeQueue(queue, { concurrency: Number(queueConcurrency) });
  const noop = (i: number): NewTask => ({
    kind: 'noop', input: null, priority: 0, runAt: null, maxAttempts: 3, timeoutSeconds: 60, idempotencyKey: null,
    queue, concurrencyKey: keys ? `k${i % keys}` : null, uniqueKey: null, uniqueSeconds: null,
  });
  for (let i = 0; i < count; i += 5000) await store.tasks.insertTasks(Array.from({ length: Math.min(5000, count - i) }, (_, j) => noop(i + j)));
  return { url, log, db, store };
}
