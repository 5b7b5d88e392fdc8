// The command-line client against a running server, as a script would use it.
import { expect, it } from 'vitest';
import type { TaskKind } from '../src/tasks/kind.js';
import { describePg } from './support/db.js';
import { appForFile, waitFor } from './support/app.js';
import { cli, start } from './support/cli.js';
import { startProxy } from './support/proxy.js';

// Logs a line, then waits until the test opens the gate.
let openGate = () => {};
const gated: TaskKind = {
  async run(_input, ctx) {
    await ctx.log('before the gate');
    await new Promise<void>((resolve) => (openGate = resolve));
    await ctx.log('after the gate');
    return 'through';
  },
};

describePg('command-line client', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '4', RETRY_BACKOFF_MS: '10' }, { gated });

  it('wait resumes from the last event it saw after its socket drops: nothing printed twice', async () => {
    const { port } = new URL(app.url);
    const proxy = await startProxy({ host: '127.0.0.1', port: Number(port) });
    try {
      const id = (await app.gql(`mutation { createTask(input: { kind: "gated" }) { task { id } } }`)).data.createTask.task.id;
      const waiting = start(`http://127.0.0.1:${proxy.port}`, 'wait', id);
      await waitFor(async () => waiting.out.stderr.includes('before the gate'), 10_000, 'the first log line');
      proxy.cut();
      proxy.restore();
      await waitFor(async () => proxy.accepted() >= 2, 20_000, 'the client to reconnect');
      openGate();
      const run = await waiting.exited;
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toBe('through');
      const lines = run.stderr.trim().split('\n');
      expect(lines.filter((l) => l === 'created')).toHaveLength(1);
      expect(lines.filter((l) => l === 'started')).toHaveLength(1);
      expect(lines.filter((l) => l.includes('before the gate'))).toHaveLength(1);
      expect(lines.filter((l) => l.includes('after the gate'))).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('create --wait prints progress as it comes and the result, exit 0', async () => {
    const run = await cli(app.url, 'create', 'sleep', '--input', '{"ms": 400}', '--wait');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ sleptMs: 400 });
    expect(run.stderr).toMatch(/created/);
    expect(run.stderr).toMatch(/progress 100%/);
    expect(run.stderr.indexOf('started')).toBeLessThan(run.stderr.indexOf('completed'));
  });

  it('create --wait of a failing task exits 1 with its error', async () => {
    const run = await cli(app.url, 'create', 'fail', '--input', '{"message":"nope"}', '--max-attempts', '2', '--wait');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/retrying/);
    expect(run.stderr).toMatch(/FAILED: nope \(TASK_FAILED\)/);
  });

  it('get, list, cancel, retry', async () => {
    const created = JSON.parse((await cli(app.url, 'create', 'sleep', '--input', '{"ms": 60000}', '--key', 'cli-1')).stdout);
    // The server's executor is idle, so it takes the task as it is created (or, past a poll's
    // claim in flight at that instant, a moment later).
    expect(['RUNNING', 'PENDING']).toContain(created.status);
    const got = JSON.parse((await cli(app.url, 'get', created.id)).stdout);
    expect(got.id).toBe(created.id);
    const listed = JSON.parse((await cli(app.url, 'list', '--kind', 'sleep', '--first', '50')).stdout);
    expect(listed.nodes.map((t: { id: string }) => t.id)).toContain(created.id);
    const cancelled = JSON.parse((await cli(app.url, 'cancel', created.id)).stdout);
    expect(cancelled.status).toBe('CANCELLED');
    const again = await cli(app.url, 'cancel', created.id);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/TASK_FINISHED/);
    const retried = JSON.parse((await cli(app.url, 'retry', created.id)).stdout);
    expect(retried.status).toBe('PENDING');
    await cli(app.url, 'cancel', created.id);
  });

  it('lists, pauses, resumes and scales workers, and prints statistics', async () => {
    const workers = JSON.parse((await cli(app.url, 'workers', '--status', 'active')).stdout);
    expect(workers).toHaveLength(1);
    const [{ id }] = workers;
    expect(JSON.parse((await cli(app.url, 'pause', id)).stdout).state).toBe('PAUSED');
    expect(JSON.parse((await cli(app.url, 'resume', id)).stdout).state).toBe('ACTIVE');
    expect(JSON.parse((await cli(app.url, 'scale', id, '6')).stdout).concurrency).toBe(6);
    const refused = await cli(app.url, 'scale', 'no-such-worker', '1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/WORKER_NOT_FOUND/);
    const stats = JSON.parse((await cli(app.url, 'stats', '--kind', 'sleep')).stdout);
    expect(stats.completed).toBeGreaterThanOrEqual(1);
    expect(stats.throughput.lastHour).toBeGreaterThanOrEqual(1);
  });

  it('refuses bad input with exit 2 and says why', async () => {
    const bad = await cli(app.url, 'create', 'echo', '--input', '{nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not valid JSON/);
    const unknown = await cli(app.url, 'create', 'no-such-kind');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/UNKNOWN_TASK_KIND/);
    const down = await cli('http://127.0.0.1:9', 'get', '1');
    expect(down.code).toBe(3);
  });

  it('sets a queue\'s limits, pauses and resumes it, and lists the queues', async () => {
    const set = await cli(app.url, 'queue-limits', 'cli-queue', '--concurrency', '3', '--rate', '10/1m');
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: 'cli-queue', concurrency: 3, keyConcurrency: null, rateLimit: { limit: 10, periodSeconds: 60 } });
    // A limit left out stays; none clears one.
    const cleared = JSON.parse((await cli(app.url, 'queue-limits', 'cli-queue', '--key-concurrency', '2', '--concurrency', 'none')).stdout);
    expect(cleared).toMatchObject({ concurrency: null, keyConcurrency: 2, rateLimit: { limit: 10, periodSeconds: 60 } });
    expect(JSON.parse((await cli(app.url, 'pause-queue', 'cli-queue')).stdout).paused).toBe(true);
    const created = JSON.parse((await cli(app.url, 'create', 'echo', '--queue', 'cli-queue', '--input', '1')).stdout);
    expect(created).toMatchObject({ queue: 'cli-queue', status: 'PENDING', waitingFor: 'QUEUE_PAUSED' });
    expect(JSON.parse((await cli(app.url, 'resume-queue', 'cli-queue')).stdout).paused).toBe(false);
    const done = await cli(app.url, 'wait', created.id);
    expect(done.code).toBe(0);
    const queues = JSON.parse((await cli(app.url, 'queues')).stdout);
    expect(queues.map((q: { name: string }) => q.name)).toEqual(expect.arrayContaining(['default', 'cli-queue']));
    const bad = await cli(app.url, 'queue-limits', 'cli-queue', '--rate', 'fast');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--rate/);
    const refused = await cli(app.url, 'queue-limits', 'cli-queue', '--concurrency=-1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/concurrency.*INVALID_INPUT/);
  });
});
