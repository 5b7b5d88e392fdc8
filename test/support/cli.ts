// The command-line client run as a script runs it: a process of its own against a server's URL.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The command running, what it printed so far, and its exit. */
export function start(url: string, ...args: string[]) {
  const child = spawn(process.execPath, ['bin/task-executor.mjs', ...args, '--url', `${url}/graphql`], { cwd: root });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, ...out })),
  );
  return { out, exited };
}

export const cli = (url: string, ...args: string[]) => start(url, ...args).exited;
