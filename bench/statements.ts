// Where a drain's time goes: N no-op tasks drained as in drain-ours.ts, with each store call the
// executor and the event pump make timed (count, total wall time, rows per call), the drain
// timed to the commit of the last outcome, and the whole machine's CPU time per 1,000 tasks (less
// sensitive to a noisy neighbour than tasks/s). For comparing a change: run it alternately with
// and without, several times. --prefetch=auto: the adaptive default; --claims: every claim as
// `start ms:asked/got/took ms` on stderr, to see how the claims grow. --sql='...' runs statements
// (separated by ;;) after the migrations (an experiment, e.g. disabling a trigger).
import { readFileSync } from 'node:fs';
import { createEventPump } from '../src/tasks/events.js';
import { createExecutor } from '../src/tasks/executor.js';
import { createRegistry } from '../src/tasks/handlers.js';
import { arg, prefetchArg } from './lib.js';
import { queuedNoops } from './queued.js';

const count = Number(arg('tasks', '20000'));
const prefetch = prefetchArg('500');
const claimLog: string[] = [];
let start = 0;
const { db, store, log } = await queuedNoops('bench_statements', count, 10);

const calls: Record<string, { n: number; ms: number; rows: number }> = {};
let completed = 0;
let drained!: () => void;
const done = new Promise<void>((resolve) => (drained = resolve));
function timed<T extends object, K extends keyof T>(target: T, name: K, rowsOf: (result: any) => number, after?: (rows: number) => void) {
  const original = (target[name] as (...args: unknown[]) => Promise<unknown>).bind(target);
  (target as Record<K, unknown>)[name] = async (...args: unknown[]) => {
    const started = performance.now();
    const result = await original(...args);
    if (name === 'claim') claimLog.push(`${(started - start).toFixed(0)}:${args[2]}/${rowsOf(result)}/${(performance.now() - started).toFixed(0)}`);
    const entry = (calls[String(name)] ??= { n: 0, ms: 0, rows: 0 });
    entry.n++;
    entry.ms += performance.now() - started;
    entry.rows += rowsOf(result);
    after?.(rowsOf(result));
    return result;
  };
}
timed(store.claims, 'claim', (r) => r.length);
timed(store.claims, 'finish', (r) => r.applied.size, (applied) => (completed += applied) === count && drained());
timed(store.events, 'readNext', (r) => r.events.length);

/** Busy and stolen CPU time of the whole machine so far, in ms (Linux /proc/stat, 10 ms ticks). */
function machineCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: (f[0] + f[1] + f[2] + f[5] + f[6]) * 10, steal: f[7] * 10 };
}

const pump = createEventPump({ db, store, log, pollIntervalMs: 1000 });
await pump.start();
const executor = createExecutor({
  store, pump, log, registry: createRegistry({ noop: { run: () => {} } }), concurrency: 24, prefetch, leaseSeconds: 30,
  pollIntervalMs: 1000, retryBackoffMs: 1000, retryBackoffMaxMs: 60_000, maxPayloadBytes: 1 << 20,
});
const cpu0 = machineCpu();
const node0 = process.cpuUsage();
start = performance.now();
executor.start();
await done;
const seconds = (performance.now() - start) / 1000;
const cpu1 = machineCpu();
const node = process.cpuUsage(node0);
await executor.stop(1000);
await pump.stop();
await db.close();
if (process.argv.includes('--claims')) console.error(claimLog.join(' '));
console.log(JSON.stringify({
  tasks: count, prefetch, perSecond: Math.round(count / seconds),
  machineCpuMsPer1000: Math.round((cpu1.busy - cpu0.busy) / (count / 1000)), nodeCpuMsPer1000: Math.round((node.user + node.system) / 1000 / (count / 1000)),
  stolenMs: cpu1.steal - cpu0.steal,
  calls: Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, { calls: v.n, msPerCall: +(v.ms / v.n).toFixed(2), rowsPerCall: Math.round(v.rows / v.n) }])),
}));
