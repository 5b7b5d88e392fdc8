// Runs every benchmark side by side, each configuration --runs times (default 3), alternating
// systems so drift in a noisy machine hits all of them alike, and prints medians and ratios as the
// Markdown tables of bench/README.md. Each run is a fresh process on a fresh database.
//   npm run bench -- [--runs=3] [--only=drain|share|limits|pooler|latency|scheduled|e2e|subscribers|ceiling|growth]
import { execFileSync } from 'node:child_process';
import { arg, median } from './lib.js';

const runs = Number(arg('runs', '3'));
const only = arg('only', '');

function run(script: string, args: string[]): Record<string, any> {
  const command = script.endsWith('.sh') ? 'bash' : process.execPath;
  const argv = script.endsWith('.sh') ? [script, ...args] : ['--import', 'tsx', script, ...args];
  const out = execFileSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LOG_LEVEL: 'warn' } });
  return JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1)!);
}

function series(configs: Array<{ name: string; script: string; args: string[] }>) {
  const results = new Map<string, Record<string, any>[]>(configs.map((c) => [c.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of configs) {
      const result = run(c.script, c.args);
      results.get(c.name)!.push(result);
      console.error(`${c.name} #${i + 1}: ${JSON.stringify(result)}`);
    }
  }
  return results;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 2 }) : '–');

/** A drain table: each configuration's median tasks/s, its runs, and its ratio to `baseline`'s. */
function drainTable(title: string, first: string, drain: Map<string, Record<string, any>[]>, baseline: string) {
  console.log(`\n### ${title}\n`);
  console.log(`| ${first} | tasks/s | runs | vs ${baseline} | machine CPU ms per 1,000 tasks |`);
  console.log('| --- | ---: | --- | ---: | ---: |');
  const base = median(drain.get(baseline)!.map((r) => r.perSecond));
  for (const [name, rs] of drain) {
    const m = median(rs.map((r) => r.perSecond));
    console.log(`| ${name} | ${fmt(m)} | ${rs.map((r) => fmt(r.perSecond)).join(', ')} | ${(m / base).toFixed(2)}× | ${fmt(median(rs.map((r) => r.machineCpuMsPer1000)))} |`);
  }
}

function latencyTable(title: string, results: Map<string, Record<string, any>[]>) {
  console.log(`\n### ${title}\n`);
  console.log('| system | p50 | p95 | p99 | max |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, rs] of results) {
    const m = (k: string) => fmt(median(rs.map((r) => r[k])));
    console.log(`| ${name} | ${m('p50')} | ${m('p95')} | ${m('p99')} | ${m('max')} |`);
  }
}

if (!only || only === 'drain') {
  const drain = series([
    { name: 'ours, prefetch 500 (events on)', script: 'bench/drain-ours.ts', args: ['--prefetch=500'] },
    { name: 'ours, prefetch 500, a subscriber to all events', script: 'bench/drain-ours.ts', args: ['--prefetch=500', '--follow=all'] },
    { name: 'ours, prefetch 1000 (events on)', script: 'bench/drain-ours.ts', args: ['--prefetch=1000'] },
    { name: 'ours, the default (adaptive prefetch)', script: 'bench/drain-ours.ts', args: ['--prefetch=auto'] },
    { name: 'ours, no prefetch (the default before)', script: 'bench/drain-ours.ts', args: ['--prefetch=0'] },
    { name: 'graphile-worker 0.17.3, localQueue 500, batch delays 0', script: 'bench/drain-peers.ts', args: ['--system=graphile'] },
    { name: 'graphile-worker 0.17.3, localQueue 1000, batch delays 0', script: 'bench/drain-peers.ts', args: ['--system=graphile', '--local-queue=1000'] },
    { name: 'graphile-worker 0.17.3, defaults', script: 'bench/drain-peers.ts', args: ['--system=graphile-default'] },
    { name: 'pg-boss 10.4.2, 2 workers x batch 5000', script: 'bench/drain-peers.ts', args: ['--system=pgboss', '--batch=5000', '--concurrency=2'] },
    { name: 'pg-boss 10.4.2, 2 workers x batch 1000', script: 'bench/drain-peers.ts', args: ['--system=pgboss', '--batch=1000', '--concurrency=2'] },
  ]);
  const graphile = median(drain.get('graphile-worker 0.17.3, localQueue 500, batch delays 0')!.map((r) => r.perSecond));
  console.log(`\n### Drain: 20,000 no-op tasks, concurrency 24, median of ${runs}\n`);
  console.log('| system | tasks/s (median) | all runs | vs graphile-worker batched | machine CPU ms per 1,000 tasks (median) |');
  console.log('| --- | ---: | --- | ---: | ---: |');
  for (const [name, rs] of drain) {
    const m = median(rs.map((r) => r.perSecond));
    const cpu = median(rs.map((r) => r.machineCpuMsPer1000));
    console.log(`| ${name} | ${fmt(m)} | ${rs.map((r) => fmt(r.perSecond)).join(', ')} | ${(m / graphile).toFixed(2)}× | ${fmt(cpu)} |`);
  }
}

// Long (about 20 minutes here), so only when asked for: its rounds print as they end.
if (only === 'growth') {
  execFileSync(process.execPath, ['--import', 'tsx', 'bench/growth.ts', ...process.argv.slice(2).filter((a) => !a.startsWith('--only') && !a.startsWith('--runs'))], {
    stdio: 'inherit', env: { ...process.env, LOG_LEVEL: 'warn' },
  });
}

if (!only || only === 'pooler') {
  // Debian's PgBouncer in transaction mode, started for these runs as the tests start it.
  const { startPgBouncer } = await import('../test/support/pooler.js');
  const pooler = await startPgBouncer(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const via = `--pooler-port=${pooler.port}`;
  try {
    const drain = series([
      { name: 'direct', script: 'bench/drain-ours.ts', args: [] },
      { name: 'through PgBouncer 1.18, transaction mode', script: 'bench/drain-ours.ts', args: [via] },
    ]);
    drainTable(`Through a pooler: drain of 20,000 no-op tasks, concurrency 24, prefetch 500; median of ${runs}`, 'connection', drain, 'direct');
    const pickup = series([
      { name: 'direct, started by the create statement', script: 'bench/latency.ts', args: ['--system=ours'] },
      { name: 'through PgBouncer, started by the create statement', script: 'bench/latency.ts', args: ['--system=ours', via] },
      { name: 'direct, notification then claim', script: 'bench/latency.ts', args: ['--system=ours-listening'] },
      { name: 'through PgBouncer, notification then claim', script: 'bench/latency.ts', args: ['--system=ours-listening', via] },
    ]);
    latencyTable(`Pickup through a pooler: 300 tasks, 20 ms apart, insert-to-handler, ms, median of ${runs} runs`, pickup);
  } finally {
    pooler.stop();
  }
}

if (!only || only === 'share') {
  const share = series(['auto', '500', '0'].flatMap((prefetch) => [2, 20].map((ms) => ({
    name: `prefetch ${prefetch === 'auto' ? 'auto (the default)' : prefetch}, ${ms} ms tasks`,
    script: 'bench/share.ts',
    args: [`--prefetch=${prefetch}`, `--task-ms=${ms}`, `--tasks=${ms === 2 ? 20000 : 5000}`],
  }))));
  console.log(`\n### Two processes on one queue, concurrency 24 each: 20,000 tasks of 2 ms or 5,000 of 20 ms; median of ${runs}\n`);
  console.log('| prefetch, tasks | tasks/s | shares (median run) | tail: one process idle while the other finishes what it holds, ms |');
  console.log('| --- | ---: | --- | ---: |');
  for (const [name, rs] of share) {
    const m = median(rs.map((r) => r.perSecond));
    const mid = [...rs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(rs.length / 2)];
    console.log(`| ${name} | ${fmt(m)} | ${mid.shares.map((x: number) => `${Math.round(x * 100)} %`).join(' / ')} | ${fmt(median(rs.map((r) => r.tailMs)))} |`);
  }
}

if (!only || only === 'limits') {
  const drain = series([
    { name: 'no limits', script: 'bench/drain-ours.ts', args: [] },
    { name: 'a queue concurrency of 24', script: 'bench/drain-ours.ts', args: ['--queue-concurrency=24'] },
    { name: '1,000 concurrency keys, one at a time each', script: 'bench/drain-ours.ts', args: ['--keys=1000'] },
  ]);
  drainTable(`Queue rules: drain of 20,000 queued no-op tasks, one process, concurrency 24, prefetch 500; median of ${runs}`, 'rules', drain, 'no limits');
  const pickup = series([
    { name: 'no limits (notification, then claim)', script: 'bench/latency.ts', args: ['--system=ours-listening'] },
    { name: 'a queue concurrency of 24', script: 'bench/latency.ts', args: ['--system=ours-limited'] },
    { name: 'a concurrency key each', script: 'bench/latency.ts', args: ['--system=ours-keyed'] },
  ]);
  latencyTable(`Pickup latency with queue rules: 300 tasks, 20 ms apart, insert-to-handler, ms, median of ${runs} runs`, pickup);
}

if (!only || only === 'latency') {
  const latency = series([
    { name: 'ours (created in the executor\'s process: taken by the create statement)', script: 'bench/latency.ts', args: ['--system=ours'] },
    { name: 'ours, start on create off (notification, then claim)', script: 'bench/latency.ts', args: ['--system=ours-listening'] },
    { name: 'ours, prefetch 0 (the default before)', script: 'bench/latency.ts', args: ['--system=ours', '--prefetch=0'] },
    { name: 'ours, start on create off, prefetch 0', script: 'bench/latency.ts', args: ['--system=ours-listening', '--prefetch=0'] },
    { name: 'graphile-worker 0.17.3', script: 'bench/latency.ts', args: ['--system=graphile'] },
    { name: 'pg-boss 10.4.2 (polling, 0.5 s)', script: 'bench/latency.ts', args: ['--system=pgboss'] },
  ]);
  latencyTable(`Pickup latency: 300 tasks, 20 ms apart, insert-to-handler, ms, median of ${runs} runs`, latency);
}

// Each task due before the next is created, so no other creation's notification wakes the worker.
const SCHEDULED = ['--tasks=100', '--gap=300', '--delay=200'];
if (!only || only === 'scheduled') {
  const scheduled = series([
    { name: 'ours (created through the executor\'s process)', script: 'bench/latency.ts', args: ['--system=ours', ...SCHEDULED] },
    { name: 'graphile-worker 0.17.3', script: 'bench/latency.ts', args: ['--system=graphile', ...SCHEDULED] },
    { name: 'pg-boss 10.4.2 (polling, 0.5 s)', script: 'bench/latency.ts', args: ['--system=pgboss', ...SCHEDULED] },
  ]);
  latencyTable(`Scheduled pickup: 100 tasks, 300 ms apart, each due 200 ms after it is created; due-to-handler, ms, median of ${runs} runs`, scheduled);
}

if (!only || only === 'e2e') {
  const e2e = series([
    { name: 'as fast as it goes', script: 'bench/e2e.ts', args: ['--seconds=10'] },
    { name: '500 a second', script: 'bench/e2e.ts', args: ['--seconds=10', '--rate=500'] },
  ]);
  console.log(`\n### End to end through GraphQL: autocannon, 20 connections, 10 s of createTask; median of ${runs}\n`);
  console.log('| offered | mutations/s | mutation latency p50 / p99 (ms) | response → COMPLETED seen by a subscriber, p50 / p99 (ms) | errors |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, rs] of e2e) {
    const m = (k: string) => fmt(median(rs.map((r) => r[k])));
    console.log(`| ${name} | ${m('mutationsPerSecond')} | ${m('mutationLatencyP50')} / ${m('mutationLatencyP99')} | ${m('responseToCompletedP50')} / ${m('responseToCompletedP99')} | ${m('errors')} |`);
  }
}

if (!only || only === 'subscribers') {
  const subs = series([
    { name: '1,000', script: 'bench/subscribers.ts', args: ['--subscribers=1000'] },
    { name: '10,000', script: 'bench/subscribers.ts', args: ['--subscribers=10000'] },
  ]);
  console.log(`\n### Subscribers: graphql-ws clients on taskEvents(taskId), 1,000 events/s; median of ${runs}\n`);
  console.log('| subscribers | delivered/s | delay p50 (ms) | delay p99 (ms) | server RSS connected / peak (MiB) |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const [name, rs] of subs) {
    const m = (f: (r: Record<string, any>) => number) => fmt(median(rs.map(f)));
    console.log(`| ${name} | ${m((r) => r.deliveredPerSecond)} | ${m((r) => r.delayP50)} | ${m((r) => r.delayP99)} | ${m((r) => r.serverRssMiB.connected)} / ${m((r) => r.serverRssMiB.peak)} |`);
  }
}

if (!only || only === 'ceiling') {
  const ceiling = series([{ name: 'pgbench', script: 'bench/ceiling.sh', args: [] }]);
  console.log(`\n### Ceiling: one-row INSERT transactions/s, pgbench, 8 clients, median of ${runs}\n`);
  console.log(`| pgbench | ${fmt(median(ceiling.get('pgbench')!.map((r) => r.perSecond)))} |`);
}
