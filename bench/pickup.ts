// Where a pickup's time goes: the latency benchmark's method (an idle, listening executor; tasks
// created one at a time, 20 ms apart, stamped just before the insert is sent), with each step of
// ours stamped on the way: the create statement's round trip, the notification's arrival, the
// claim sent, the claim's round trip, the handler's start. Prints p50, p90, p99 and max of each.
//   npx tsx bench/pickup.ts [--tasks=300] [--gap=20]
import { connect } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { createStore } from '../src/store/index.js';
import { createEventPump } from '../src/tasks/events.js';
import { createExecutor } from '../src/tasks/executor.js';
import { createRegistry } from '../src/tasks/handlers.js';
import { arg, freshDatabase, percentile, sleep } from './lib.js';

const count = Number(arg('tasks', '300'));
const gapMs = Number(arg('gap', '20'));

const url = await freshDatabase('bench_pickup');
const log = createLogger('warn');
const db = await connect({ databaseUrl: url, dataDir: '', poolSize: 10, log });
await migrate(db);
const store = createStore(db);

// Stamps of the task in flight (one at a time), in ms since its insert was sent.
let sent = 0;
let stamps: Record<string, number> = {};
const stamp = (step: string) => void (stamps[step] ??= performance.now() - sent);
const claim = store.claims.claim.bind(store.claims);
store.claims.claim = async (...args) => {
  // Only the claim the notification set off (not a poll's before it).
  if ('notified' in stamps) stamp('claim sent');
  const claimed = await claim(...args);
  if (claimed.length > 0) stamp('claim answered');
  return claimed;
};

const pump = createEventPump({ db, store, log, pollIntervalMs: 1000, onNotify: () => stamp('notified') });
await pump.start();
let ran: () => void = () => {};
const registry = createRegistry({ stamp: { run: () => (stamp('handler'), ran()) } });
const executor = createExecutor({
  store, pump, registry, log, concurrency: 24, leaseSeconds: 30, pollIntervalMs: 1000,
  retryBackoffMs: 1000, retryBackoffMaxMs: 60_000, maxPayloadBytes: 1 << 20,
});
executor.start();
await sleep(500);

const steps = ['created', 'notified', 'claim sent', 'claim answered', 'handler'];
const samples: Array<Record<string, number>> = [];
for (let i = 0; i < count; i++) {
  const handled = new Promise<void>((resolve) => (ran = resolve));
  stamps = {};
  sent = performance.now();
  await store.tasks.insertTasks([{ kind: 'stamp', input: {}, priority: 0, runAt: null, maxAttempts: 3, timeoutSeconds: 60, idempotencyKey: null, queue: 'default', concurrencyKey: null, uniqueKey: null, uniqueSeconds: null }]);
  stamp('created');
  await handled;
  // A step stamped out of order (the notification before the create's reply) counts as no time.
  if (steps.every((step) => step in stamps)) samples.push(stamps);
  await sleep(gapMs);
}
await executor.stop(1000);
await pump.stop();
await db.close();

const figures = (values: number[]) => {
  const sorted = values.map((v) => Math.max(0, v)).sort((a, b) => a - b);
  const ms = (v: number) => +v.toFixed(2);
  return { p50: ms(percentile(sorted, 50)), p90: ms(percentile(sorted, 90)), p99: ms(percentile(sorted, 99)), max: ms(sorted.at(-1) ?? NaN) };
};
const result: Record<string, unknown> = { tasks: count, measured: samples.length };
steps.forEach((step, i) => {
  const label = i === 0 ? 'create round trip' : `${steps[i - 1]} -> ${step}`;
  result[label] = figures(samples.map((s) => s[step] - (i === 0 ? 0 : s[steps[i - 1]])));
});
result['insert sent -> handler'] = figures(samples.map((s) => s.handler));
console.log(JSON.stringify(result, null, 1));
