// A real PgBouncer (Debian's package) in transaction mode in front of the test Postgres, for a run
// with TEST_THROUGH_POOLER=1: every server the tests start then sends its statements through it
// (DATABASE_PREPARE=false: PgBouncer 1.18 keeps no prepared statements) and listens directly
// (LISTEN_DATABASE_URL), as the README says to deploy behind one.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

const BINARY = '/usr/sbin/pgbouncer';

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });

/** PgBouncer refuses to run as root: as root, it runs as the postgres user. */
function run(args: string[]) {
  const asRoot = process.getuid?.() === 0;
  execFileSync(asRoot ? 'runuser' : BINARY, asRoot ? ['-u', 'postgres', '--', BINARY, ...args] : args, { stdio: 'ignore' });
}

/** Starts PgBouncer before `postgresUrl`'s server; `url` is the same URL through it. */
export async function startPgBouncer(postgresUrl: string): Promise<{ port: number; stop(): void }> {
  if (!existsSync(BINARY)) throw new Error(`TEST_THROUGH_POOLER=1 but there is no ${BINARY} (apt-get install pgbouncer)`);
  const target = new URL(postgresUrl);
  const dir = mkdtempSync(join(tmpdir(), 'task-executor-pgbouncer-'));
  if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const port = await freePort();
  const user = decodeURIComponent(target.username || 'postgres');
  writeFileSync(join(dir, 'users.txt'), `"${user}" ""\n`);
  writeFileSync(join(dir, 'pgbouncer.ini'), `[databases]
* = host=${target.hostname} port=${target.port || 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${join(dir, 'users.txt')}
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 20
server_reset_query =
# Idle server connections close within a second or two, so that a test file's database can be
# dropped, and its check for connections left open still waits for the servers' own to close.
server_idle_timeout = 1
ignore_startup_parameters = extra_float_digits
logfile = ${join(dir, 'pgbouncer.log')}
pidfile = ${join(dir, 'pgbouncer.pid')}
`);
  run(['-d', join(dir, 'pgbouncer.ini')]);
  for (let waited = 0; !(await accepts(port)); waited += 50) {
    if (waited > 10_000) throw new Error(`PgBouncer did not start: ${readFileSync(join(dir, 'pgbouncer.log'), 'utf8').slice(-500)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    stop() {
      try {
        // SIGTERM: at once (SIGINT would wait for every client to leave).
        process.kill(Number(readFileSync(join(dir, 'pgbouncer.pid'), 'utf8')), 'SIGTERM');
      } catch {
        // Already gone.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The environment of a server on `url`'s database: through the pooler when the run has one
 * (`poolerPort`), listening directly; the URL itself otherwise.
 */
export function serverDatabase(url: string, poolerPort: number | null): Record<string, string> {
  if (poolerPort === null) return { DATABASE_URL: url };
  const pooled = new URL(url);
  pooled.hostname = '127.0.0.1';
  pooled.port = String(poolerPort);
  return { DATABASE_URL: pooled.toString(), LISTEN_DATABASE_URL: url, DATABASE_PREPARE: 'false' };
}
