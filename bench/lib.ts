import { readFileSync } from 'node:fs';
// Shared by the benchmarks: a fresh database per run, figures, and the peers' settings.
import postgres from 'postgres';

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Drops and creates a database named `name` and returns its URL. */
export async function freshDatabase(name: string): Promise<string> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export function arg(name: string, fallback: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

/** --prefetch: `auto` (the adaptive default) or a fixed count claimed ahead. */
export function prefetchArg(fallback: 'auto' | `${number}`): 'auto' | number {
  const value = arg('prefetch', fallback);
  return value === 'auto' ? 'auto' : Number(value);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `query` (one row, column n) until it counts no unfinished job. Connected and warmed before
 * a drain starts, and awaited only after its last handler call, so the polling costs no system
 * anything while it works and every system's drain ends the same way: at the commit of its last
 * completion.
 */
export async function emptyQueueProbe(url: string, query: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe(query);
  return {
    async wait(): Promise<void> {
      while (Number((await sql.unsafe(query))[0].n) > 0) await sleep(1);
      await sql.end();
    },
  };
}

/** Counts handler calls; `all` resolves at the `count`th. The first call is stamped, as a drain's start. */
export function handlerCalls(count: number) {
  let handled = 0;
  let start = 0;
  let machine0 = { idle: 0, total: 0 };
  let node0 = process.cpuUsage();
  let reached!: () => void;
  const all = new Promise<void>((resolve) => (reached = resolve));
  return {
    all,
    /** One call, handling `jobs` jobs (pg-boss hands a batch to one call). */
    call(jobs = 1) {
      if (handled === 0) {
        start = performance.now();
        machine0 = machineIdle();
        node0 = process.cpuUsage();
      }
      handled += jobs;
      if (handled >= count) reached();
    },
    /** Seconds since the first call, and the machine's busy share and CPU per 1,000 jobs since. */
    figures() {
      const seconds = (performance.now() - start) / 1000;
      const machine = machineIdle();
      const node = process.cpuUsage(node0);
      const busy = machine.total - machine0.total - (machine.idle - machine0.idle);
      return {
        seconds: +seconds.toFixed(3),
        perSecond: Math.round(count / seconds),
        // The whole machine's CPU time per 1,000 jobs (10 ms ticks), steadier than jobs/s on a noisy machine.
        machineCpuMsPer1000: Math.round((busy * 10) / (count / 1000)),
        machineBusy: +(busy / (machine.total - machine0.total)).toFixed(2),
        // This process's share of it: the rest is Postgres (and any neighbour).
        nodeCpuMsPer1000: Math.round((node.user + node.system) / 1000 / (count / 1000)),
      };
    },
  };
}

/** Idle and total CPU time of the whole machine so far (Linux /proc/stat), to tell CPU-bound runs. */
export function machineIdle(): { idle: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: fields[3] + fields[4], total: fields.reduce((a, b) => a + b, 0) };
}

/**
 * How this product's benchmarks connect to `url`: directly, or with --pooler-port=N through the
 * PgBouncer (transaction mode) listening there, LISTEN direct and prepared statements off, as the
 * README says to deploy behind one.
 */
export function databaseOptions(url: string): { databaseUrl: string; listenDatabaseUrl?: string; prepare?: boolean } {
  const port = arg('pooler-port', '');
  if (!port) return { databaseUrl: url };
  const pooled = new URL(url);
  pooled.port = port;
  return { databaseUrl: pooled.toString(), listenDatabaseUrl: url, prepare: false };
}
