// The command-line client's flow commands against a running server: create a flow from a file and
// follow it to its end, the exit code saying how it ended.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { TaskKind } from '../src/tasks/kind.js';
import { describePg } from './support/db.js';
import { appForFile, waitFor } from './support/app.js';
import { cli, start } from './support/cli.js';
import { startProxy } from './support/proxy.js';

const dir = mkdtempSync(join(tmpdir(), 'flows-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

// Waits until the test opens the gate.
let openGate = () => {};
const gated: TaskKind = { run: () => new Promise<void>((resolve) => (openGate = resolve)) };

describePg('command-line client, flows', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '4' }, { gated });

  it('flow create --wait resumes from the last event it saw after its socket drops: nothing printed twice', async () => {
    const { port } = new URL(app.url);
    const proxy = await startProxy({ host: '127.0.0.1', port: Number(port) });
    try {
      const flow = file('gated.json', [
        { ref: 'gate', kind: 'gated' },
        { ref: 'x', kind: 'echo', dependsOn: ['gate'] },
        { ref: 'y', kind: 'echo', dependsOn: ['x'] },
      ]);
      const waiting = start(`http://127.0.0.1:${proxy.port}`, 'flow', 'create', '--file', flow, '--wait');
      await waitFor(async () => /\(gated\) started/.test(waiting.out.stderr), 10_000, 'the gated task to start');
      proxy.cut();
      proxy.restore();
      await waitFor(async () => proxy.accepted() >= 2, 20_000, 'the client to reconnect');
      openGate();
      const run = await waiting.exited;
      expect(run.code).toBe(0);
      const lines = run.stderr.trim().split('\n').filter((l) => l.startsWith('task '));
      expect(new Set(lines).size).toBe(lines.length);
      expect(lines.filter((l) => l.endsWith(' created'))).toHaveLength(3);
      expect(lines.filter((l) => l.endsWith(' completed'))).toHaveLength(3);
    } finally {
      await proxy.close();
    }
  });

  it('flow create --wait follows the flow to its end: exit 0 when it COMPLETED, 1 when it FAILED', async () => {
    const diamond = file('diamond.json', {
      name: 'diamond',
      tasks: [
        { ref: 'a', kind: 'echo', input: 1 },
        { ref: 'b', kind: 'echo', dependsOn: ['a'] },
        { ref: 'c', kind: 'echo', dependsOn: ['a'] },
        { ref: 'd', kind: 'echo', dependsOn: ['b', 'c'] },
      ],
    });
    const ok = await cli(app.url, 'flow', 'create', '--file', diamond, '--wait');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ name: 'diamond', status: 'COMPLETED', total: 4, counts: { completed: 4 } });
    // Every task's start and end on stderr, each once.
    expect(ok.stderr.match(/ completed/g)).toHaveLength(4);
    expect(ok.stderr.match(/ ready/g)).toHaveLength(3);

    const failing = file('failing.json', [
      { ref: 'a', kind: 'fail', maxAttempts: 1 },
      { ref: 'b', kind: 'echo', dependsOn: ['a'] },
    ]);
    const failed = await cli(app.url, 'flow', 'create', '--file', failing, '--wait');
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'FAILED', counts: { failed: 1, cancelled: 1 } });
    expect(failed.stderr).toContain('DEPENDENCY_FAILED');

    const got = await cli(app.url, 'flow', 'get', String(JSON.parse(ok.stdout).id));
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout).status).toBe('COMPLETED');
  });

  it('refuses a missing or malformed file and a cycle with exit 2, saying why', async () => {
    const missing = await cli(app.url, 'flow', 'create', '--file', join(dir, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the flow');
    const bad = await cli(app.url, 'flow', 'create', '--file', file('bad.json', '{"tasks": 3}'));
    expect(bad.code).toBe(2);
    const cycle = await cli(app.url, 'flow', 'create', '--file', file('cycle.json', [{ ref: 'x', kind: 'echo', dependsOn: ['x'] }]));
    expect(cycle.code).toBe(2);
    expect(cycle.stderr).toContain('cycle');
    expect((await cli(app.url, 'flow', 'get', 'abc')).code).toBe(2);
  });
});
