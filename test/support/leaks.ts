// After each test file, as graphile-worker's suite does: a file that leaves a socket, a server, a
// child process or a timer open fails, naming what it left. (Connections left open in Postgres are
// caught when the file's database is dropped; see db.ts.)
import { afterAll, beforeAll } from 'vitest';

/** The kinds of resource that keep the process alive and that a test must close. */
const TRACKED = new Set(['TCPSocketWrap', 'TCPServerWrap', 'ProcessWrap', 'PipeWrap', 'Timeout', 'Immediate']);

function counts(): Map<string, number> {
  const found = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) if (TRACKED.has(type)) found.set(type, (found.get(type) ?? 0) + 1);
  return found;
}

function excess(now: Map<string, number>, before: Map<string, number>): string[] {
  return [...now]
    .filter(([type, n]) => n > (before.get(type) ?? 0) && !tolerated.has(type))
    .map(([type, n]) => `${n - (before.get(type) ?? 0)} ${type}`);
}

/** Types a file declared it may leave, with why. */
const tolerated = new Map<string, string>();

/**
 * For a file whose scenario leaves resources of a type that are not its to close (a third party's
 * timers that fire later), with the reason; the check goes on for every other type.
 */
export function tolerateLeftovers(type: string, why: string) {
  tolerated.set(type, why);
}

let before = new Map<string, number>();
beforeAll(() => {
  // Made on first use: the standard streams' pipes are the runner's, not the test's.
  void process.stdout.fd;
  void process.stderr.fd;
  before = counts();
});
afterAll(async () => {
  // Closing is asynchronous (a socket's last packets, a child's exit): give it a moment.
  for (let waited = 0; waited < 3000 && excess(counts(), before).length > 0; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50).unref());
  }
  const left = excess(counts(), before);
  if (left.length > 0) throw new Error(`this test file left open: ${left.join(', ')}`);
});
