// A fresh database of this product, migrated, with N no-op tasks already queued: where the drain
// benchmarks of this product start. --sql='...' runs statements (separated by ;;) after the
// migrations, before the tasks are queued (an experiment, e.g. dropping an index).
import { sql } from 'drizzle-orm';
import { connect } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { createStore } from '../src/store/index.js';
import type { NewTask } from '../src/store/index.js';
import { arg, freshDatabase } from './lib.js';

export async function queuedNoops(name: string, count: number, poolSize: number) {
  const url = await freshDatabase(name);
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const db = await connect({ databaseUrl: url, dataDir: '', poolSize, log });
  await migrate(db);
  const store = createStore(db);
  for (const statement of arg('sql', '').split(';;').filter((s) => s.trim())) await db.query(sql.raw(statement));
  const noop: NewTask = { kind: 'noop', input: null, priority: 0, runAt: null, maxAttempts: 3, timeoutSeconds: 60, idempotencyKey: null, queue: 'default', concurrencyKey: null, uniqueKey: null, uniqueSeconds: null };
  for (let i = 0; i < count; i += 5000) await store.tasks.insertTasks(Array.from({ length: Math.min(5000, count - i) }, () => noop));
  return { url, log, db, store };
}
