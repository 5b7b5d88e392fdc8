// Runs the server as its own OS process, the way `npm start` does, for tests that kill it and for
// the benchmarks (so nothing here may import vitest).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  workerId: string;
  logs: string[];
  exited: Promise<number | null>;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: any[] }>;
}

/** By default the server of this checkout; `command` runs another (an installed package's bin, say) with node. */
export async function spawnServer(env: Record<string, string>, command?: { args: string[]; cwd: string }): Promise<ServerProcess> {
  const args = command?.args ?? ['--import', 'tsx', 'src/main.ts'];
  const child = spawn(process.execPath, [...(process.env.SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...args], {
    cwd: command?.cwd ?? root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', LOG_PRETTY: '0', POLL_INTERVAL_MS: '200', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // With a fixed PORT and a quiet LOG_LEVEL (benchmarks), readiness comes from /ready instead.
  const fixedPort = env.PORT && env.PORT !== '0' ? env.PORT : undefined;
  const ready = await new Promise<{ url: string; workerId: string }>((resolve, reject) => {
    if (fixedPort) {
      const base = `http://127.0.0.1:${fixedPort}`;
      const poll = () =>
        fetch(`${base}/ready`)
          .then((r) => (r.ok ? resolve({ url: base, workerId: '' }) : setTimeout(poll, 100)))
          .catch(() => setTimeout(poll, 100));
      poll();
    }
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join('\n')}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        logs.push(line);
        if (line.includes('"task executor ready"')) {
          clearTimeout(timer);
          const entry = JSON.parse(line);
          resolve({ url: entry.url.replace(/\/graphql$/, ''), workerId: entry.workerId });
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logs.join('\n')}`));
    });
  });
  return {
    child,
    ...ready,
    logs,
    exited,
    async gql(query, variables) {
      const response = await fetch(`${ready.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return response.json();
    },
  };
}
