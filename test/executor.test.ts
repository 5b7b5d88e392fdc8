// The lifecycle as the embedded executor drives it: completion, retries with backoff, final
// failure, timeouts, cancellation of a running handler, runAt, and a clean stop.
import { expect, it } from 'vitest';
import { sleep, type TaskKind } from '../src/tasks/kind.js';
import { describePg } from './support/db.js';
import { appForFile, waitFor } from './support/app.js';

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } } }`;
const TASK = `query($id: ID!) { task(id: $id) { id status attempts result progress error { code message } startedAt finishedAt runAt } }`;

// Records when each handler saw its signal fire, so cancellation can be checked from inside.
const aborted = new Map<string, number>();
const watch: TaskKind = {
  async run(_input, ctx) {
    ctx.signal.addEventListener('abort', () => aborted.set(ctx.task.id, Date.now()));
    await ctx.log('watching');
    await sleep(60_000, ctx.signal);
  },
};
// Ignores its signal entirely: a timeout must still end the task.
const stubborn: TaskKind = { run: () => new Promise((resolve) => setTimeout(resolve, 3000)) };
const nonError: TaskKind = { run: () => Promise.reject({ reason: 'plain object' }) };
const badResult: TaskKind = { run: () => ({ big: 10n }) };

describePg('executor', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '8', RETRY_BACKOFF_MS: '200' }, { watch, stubborn, nonError, badResult });

  async function create(input: Record<string, unknown>): Promise<string> {
    const { data, errors } = await app.gql(CREATE, { input });
    expect(errors).toBeUndefined();
    return data.createTask.task.id;
  }
  const read = async (id: string) => (await app.gql(TASK, { id })).data.task;
  const settled = (id: string, statuses = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT']) =>
    waitFor(async () => {
      const task = await read(id);
      return statuses.includes(task.status) && task;
    }, 20_000, `task ${id} to settle`);
  const events = async (id: string) =>
    (await app.db.query<{ type: string; status: string; at: Date; data: any }>(
      (await import('drizzle-orm')).sql`SELECT type, status::text, at, data FROM task_events WHERE task_id = ${id}::bigint ORDER BY id`,
    ));

  it('runs echo to COMPLETED with its input as result', async () => {
    const id = await create({ kind: 'echo', input: { a: [1, 2] } });
    const task = await settled(id);
    expect(task).toMatchObject({ status: 'COMPLETED', attempts: 1, result: { a: [1, 2] }, progress: 1, error: null });
    expect(task.startedAt).not.toBeNull();
    expect(task.finishedAt).not.toBeNull();
    expect((await events(id)).map((e) => e.type)).toEqual(['created', 'started', 'completed']);
  });

  it('retries with exponential backoff and then succeeds', async () => {
    const id = await create({ kind: 'fail', input: { attempts: 2, message: 'flaky' }, maxAttempts: 3 });
    const task = await settled(id);
    expect(task).toMatchObject({ status: 'COMPLETED', attempts: 3, result: { succeededOnAttempt: 3 } });
    const log = await events(id);
    expect(log.map((e) => e.type)).toEqual(['created', 'started', 'retrying', 'started', 'retrying', 'started', 'completed']);
    const retrying = log.filter((e) => e.type === 'retrying');
    expect(retrying[0].data.error).toEqual({ code: 'TASK_FAILED', message: 'flaky' });
    // Backoff base 200 ms: the n-th retry waits between half and all of 200 * 2^(n-1) ms.
    const [r1, r2] = retrying.map((e) => e.data.retryInMs);
    expect(r1).toBeGreaterThanOrEqual(100);
    expect(r1).toBeLessThanOrEqual(200);
    expect(r2).toBeGreaterThanOrEqual(200);
    expect(r2).toBeLessThanOrEqual(400);
    const started = log.filter((e) => e.type === 'started').map((e) => new Date(e.at).getTime());
    const retried = retrying.map((e) => new Date(e.at).getTime());
    expect(started[1] - retried[0]).toBeGreaterThanOrEqual(r1 - 5);
    expect(started[2] - retried[1]).toBeGreaterThanOrEqual(r2 - 5);
  });

  it('fails for good after maxAttempts', async () => {
    const id = await create({ kind: 'fail', input: { message: 'always' }, maxAttempts: 2 });
    const task = await settled(id);
    expect(task).toMatchObject({ status: 'FAILED', attempts: 2, error: { code: 'TASK_FAILED', message: 'always' } });
    expect((await events(id)).map((e) => e.type)).toEqual(['created', 'started', 'retrying', 'started', 'failed']);
  });

  it('times out a handler that ignores its signal, retrying while attempts remain', async () => {
    const id = await create({ kind: 'stubborn', timeoutSeconds: 1, maxAttempts: 2 });
    const task = await settled(id);
    expect(task).toMatchObject({ status: 'TIMED_OUT', attempts: 2, error: { code: 'TIMEOUT' } });
    expect((await events(id)).map((e) => e.type)).toEqual(['created', 'started', 'retrying', 'started', 'timed_out']);
  });

  it('fails clearly on a non-Error throw and on a result JSON cannot hold', async () => {
    const a = await settled(await create({ kind: 'nonError', maxAttempts: 1 }));
    expect(a.status).toBe('FAILED');
    expect(a.error.code).toBe('HANDLER_ERROR');
    expect(a.error.message).toContain('plain object');
    const b = await settled(await create({ kind: 'badResult', maxAttempts: 3 }));
    expect(b).toMatchObject({ status: 'FAILED', attempts: 1, error: { code: 'INVALID_RESULT' } });
  });

  it('cancels a running task: CANCELLED at once, the handler aborted within a second', async () => {
    const id = await create({ kind: 'watch' });
    await settled(id, ['RUNNING']);
    await waitFor(async () => (await events(id)).some((e) => e.type === 'log'), 5000, 'the handler to start');
    const cancelledAt = Date.now();
    const { data } = await app.gql(`mutation($id: ID!) { cancelTask(id: $id) { task { status } } }`, { id });
    expect(data.cancelTask.task.status).toBe('CANCELLED');
    const abortAt = await waitFor(async () => aborted.get(id), 5000, 'the abort');
    expect(abortAt - cancelledAt).toBeLessThan(1000);
    // The slot is free again and the task stays cancelled.
    await waitFor(async () => app.executor.runningCount() === 0, 5000, 'the slot to free');
    expect((await read(id)).status).toBe('CANCELLED');
    expect((await events(id)).map((e) => e.type)).toEqual(['created', 'started', 'log', 'cancelled']);
  });

  it('cancels a running sleep and discards nothing else', async () => {
    const id = await create({ kind: 'sleep', input: { ms: 30_000 } });
    await settled(id, ['RUNNING']);
    await app.gql(`mutation($id: ID!) { cancelTask(id: $id) { task { status } } }`, { id });
    await waitFor(async () => app.executor.runningCount() === 0, 2000, 'sleep to stop');
    expect((await read(id)).status).toBe('CANCELLED');
  });

  it('waits for runAt', async () => {
    const runAt = new Date(Date.now() + 1500);
    const id = await create({ kind: 'echo', runAt: runAt.toISOString() });
    // Nothing starts it before runAt: still pending most of the way there.
    await new Promise((r) => setTimeout(r, 700));
    expect((await read(id)).status).toBe('PENDING');
    const task = await settled(id);
    expect(new Date(task.startedAt).getTime()).toBeGreaterThanOrEqual(runAt.getTime());
  });

  it('runs higher priority first', async () => {
    // Through the worker row, the command a heartbeat reads back (a setting made in the process
    // alone lasts only until the next heartbeat).
    const scale = async (n: number) => {
      await app.gql(`mutation($id: ID!, $n: Int!) { setWorkerConcurrency(id: $id, concurrency: $n) { id } }`, { id: app.executor.workerId, n });
      await waitFor(async () => app.executor.concurrency() === n, 5000, `concurrency ${n} to reach the executor`);
    };
    await scale(0);
    const low = await create({ kind: 'echo', priority: -5 });
    const high = await create({ kind: 'echo', priority: 50 });
    const mid = await create({ kind: 'echo', priority: 0 });
    await scale(1);
    for (const id of [low, high, mid]) await settled(id);
    await scale(8);
    const starts = await Promise.all([high, mid, low].map(async (id) => new Date((await read(id)).startedAt).getTime()));
    expect(starts[0]).toBeLessThanOrEqual(starts[1]);
    expect(starts[1]).toBeLessThanOrEqual(starts[2]);
  });

  it('writes progress and log lines before the outcome', async () => {
    const id = await create({ kind: 'sleep', input: { ms: 200 } });
    await settled(id);
    const log = await events(id);
    expect(log.at(-1)!.type).toBe('completed');
    const progress = log.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)!.data.progress).toBe(1);
  });
});
