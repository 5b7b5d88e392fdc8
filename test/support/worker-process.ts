// `task-executor worker` as its own OS process, the way it is run in production, preloaded with
// no-database.mjs: any database module or driver in its import graph makes it fail.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const noDatabase = fileURLToPath(new URL('./no-database.mjs', import.meta.url));

export interface WorkerProcess {
  /** Its stdout (JSON log lines) and stderr so far. */
  out: { stdout: string; stderr: string };
  /** The log lines printed so far, parsed. */
  lines(): Array<Record<string, unknown>>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the command in `cwd` (where a relative --kinds is read) against the server at `url`. */
export function startWorkerProcess(cwd: string, url: string, ...args: string[]): WorkerProcess {
  const child = spawn(process.execPath, ['--import', noDatabase, `${root}/bin/task-executor.mjs`, 'worker', ...args, '--url', `${url}/graphql`], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'info', LOG_PRETTY: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    out,
    lines: () =>
      out.stdout
        .split('\n')
        .slice(0, -1) // the last piece may be a line still being written
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    kill: (signal) => child.kill(signal),
    exited,
  };
}
