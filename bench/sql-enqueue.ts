// What create_task costs an application's transaction: calls one round trip each, in one
// transaction, and a thousand in one SELECT; the commit writes them (the deferred trigger).
//   npx tsx bench/sql-enqueue.ts
import postgres from 'postgres';
import { connect } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { databaseOptions, freshDatabase } from './lib.js';

const url = await freshDatabase('sql_enqueue');
const log = createLogger('warn');
const db = await connect({ ...databaseOptions(url), dataDir: '', poolSize: 2, log });
await migrate(db);
await db.close();
const client = postgres(url, { max: 1, onnotice: () => {} });

async function timed(what: string, n: number, body: (tx: postgres.TransactionSql) => Promise<unknown>) {
  const started = performance.now();
  let commitStarted = 0;
  await client.begin(async (tx) => {
    await body(tx);
    commitStarted = performance.now();
  });
  const ended = performance.now();
  console.log(JSON.stringify({ what, tasks: n, ms: +(ended - started).toFixed(1), commitMs: +(ended - commitStarted).toFixed(1), msPerTask: +((ended - started) / n).toFixed(3) }));
}

for (const n of [1, 100, 1000, 1000]) {
  await timed('calls, one round trip each', n, async (tx) => {
    for (let i = 0; i < n; i++) await tx`SELECT create_task('echo', ${tx.json({ i })})`;
  });
}
for (let run = 0; run < 2; run++) {
  await timed('one SELECT', 1000, (tx) => tx`SELECT create_task('echo', to_jsonb(i)) FROM generate_series(1, 1000) AS i`);
}
const [{ tasks, events }] = await client`SELECT (SELECT count(*)::int FROM tasks) AS tasks, (SELECT count(*)::int FROM task_events) AS events`;
console.log(JSON.stringify({ tasks, events }));
await client.end();
