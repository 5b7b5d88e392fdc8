// Postgres itself stopped for 5 s and started again while tasks run, on a throwaway cluster this
// test makes with initdb and pg_ctl: the same guarantees as a cut connection.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { connect, type Database } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { postgresUrl } from './support/db.js';
import { freePort } from './support/free-port.js';
import { startApp, type TestApp } from './support/app.js';
import { recordingKind, survive } from './support/faults.js';
import { tolerateLeftovers } from './support/leaks.js';

const root = '/usr/lib/postgresql';
const bin = existsSync(root) ? join(root, readdirSync(root).sort().at(-1)!, 'bin') : undefined;

/** Postgres refuses to run as root: as root, run its tools as the postgres user. */
function pg(tool: string, args: string[]) {
  const command = join(bin!, tool);
  const asRoot = process.getuid?.() === 0;
  execFileSync(asRoot ? 'runuser' : command, asRoot ? ['-u', 'postgres', '--', command, ...args] : args, { stdio: 'ignore' });
}

const runs: string[] = [];

describe.skipIf(!postgresUrl || !bin)('Postgres restart', () => {
  tolerateLeftovers('Timeout', 'postgres.js schedules reconnects of connections lost in the outage, which fire up to 20 s after their pool ended');
  let dir: string;
  let app: TestApp;
  let direct: Database;
  let port: number;
  const start = () => {
    try {
      pg('pg_ctl', ['-D', dir, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
    } catch (error) {
      // What Postgres said is in its log, which afterAll removes with the cluster.
      throw new Error(`pg_ctl start failed: ${readFileSync(join(dir, 'log'), 'utf8').trim().split('\n').slice(-5).join(' | ')}`, { cause: error });
    }
  };
  const stop = () => pg('pg_ctl', ['-D', dir, '-w', '-m', 'fast', 'stop']);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'task-executor-pg-'));
    if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    pg('initdb', ['-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    port = await freePort();
    start();
    const admin = postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
    await admin.unsafe('CREATE DATABASE tasks');
    await admin.end();
    const url = `postgres://postgres@127.0.0.1:${port}/tasks`;
    direct = await connect({ databaseUrl: url, dataDir: '', poolSize: 2, log: createLogger('silent') });
    app = await startApp(
      { DATABASE_URL: url, EXECUTOR_CONCURRENCY: '8', LEASE_SECONDS: '6', SUBSCRIPTION_BUFFER: '100000', DATABASE_PROBE_SECONDS: '1' },
      { work: recordingKind(runs) },
    );
  });
  afterAll(async () => {
    await app?.stop();
    await direct?.close();
    try {
      pg('pg_ctl', ['-D', dir, '-m', 'immediate', 'stop']);
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  });

  it('recovers from a stop and start with nothing lost and nothing run twice in one attempt', () =>
    survive(app, direct, stop, start, runs));
});
