// Every statement that changes a worker row sends its id on WORKERS_CHANNEL, so each process can
// re-read it: subscribers see it live and the worker's own process follows a command at once.
// Worker rows are state, not history: only the latest row matters, and a process that missed a
// notification reads every row again when its listener reconnects (workers/hub.ts).
import { sql, type SQL } from 'drizzle-orm';
import { WORKERS_CHANNEL } from '../notices.js';
import { workerColumns } from '../rows.js';

/** The final SELECT over a CTE `w` of changed worker rows: their columns, and each one's NOTIFY. */
export const changedWorkers = (ctes: SQL, extra: SQL = sql``) =>
  sql`WITH ${ctes} SELECT ${workerColumns.list}, pg_notify(${WORKERS_CHANNEL}, w.id) AS notified${extra} FROM w`;

/** Only the NOTIFY, for statements whose callers do not read the row back. */
export const notifyChanged = (ctes: SQL) => sql`WITH ${ctes} SELECT pg_notify(${WORKERS_CHANNEL}, w.id) FROM w`;
