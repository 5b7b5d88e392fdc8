// The workers list, steering the embedded executor, task logs and their cap, live worker changes,
// and task statistics.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { sleep, type TaskKind } from '../src/tasks/kind.js';
import { describePg } from './support/db.js';
import { appForFile, collect, waitFor } from './support/app.js';

/** Writes input.lines log lines of input.size characters each, then waits input.ms. */
const chatty: TaskKind<{ lines: number; size?: number; ms?: number }> = {
  async run({ lines, size = 8, ms = 0 }, ctx) {
    for (let i = 0; i < lines; i++) await ctx.log(`line ${i} `.padEnd(size, 'x'));
    await sleep(ms, ctx.signal);
    return { wrote: lines };
  },
};

describePg('workers, logs and statistics', () => {
  const app = appForFile(
    { EXECUTOR_CONCURRENCY: '3', TASK_LOG_MAX_LINES: '5', TASK_LOG_MAX_BYTES: '2048', WORKER_NAME: 'embedded-under-test' },
    { chatty },
  );
  const embedded = async () => (await app.gql(`{ workers(state: [ACTIVE, PAUSED]) { id name kind state concurrency running host pid kinds } }`)).data.workers
    .find((w: { kind: string }) => w.kind === 'EMBEDDED');
  const statusOf = async (id: string) => (await app.gql(`{ task(id: "${id}") { status } }`)).data.task.status as string;

  it('lists the embedded executor with what it is and does', async () => {
    const worker = await waitFor(embedded, 5000, 'the embedded worker');
    expect(worker).toMatchObject({
      id: app.executor.workerId, name: 'embedded-under-test', kind: 'EMBEDDED', state: 'ACTIVE', concurrency: 3, pid: process.pid,
    });
    expect(worker.kinds).toEqual(['chatty', 'echo', 'fail', 'sleep']);
  });

  it('pauses, resumes and scales the embedded executor without losing or aborting a task', async () => {
    const { id } = await embedded();
    const steer = (query: string) => app.gql(query, { id });
    const running = (await app.gql(`mutation { createTask(input: { kind: "sleep", input: { ms: 1500 } }) { task { id } } }`)).data.createTask.task.id;
    await waitFor(async () => (await statusOf(running)) === 'RUNNING', 5000, 'the sleep to start');

    expect((await steer(`mutation($id: ID!) { pauseWorker(id: $id) { state } }`)).data.pauseWorker.state).toBe('PAUSED');
    const waiting = (await app.gql(`mutation { createTask(input: { kind: "echo", input: 1 }) { task { id } } }`)).data.createTask.task.id;
    // The running task finishes; the new one is not claimed while paused.
    await waitFor(async () => (await statusOf(running)) === 'COMPLETED', 10_000, 'the running task to finish');
    await new Promise((r) => setTimeout(r, 500));
    expect(await statusOf(waiting)).toBe('PENDING');
    expect(app.executor.paused()).toBe(true);
    await steer(`mutation($id: ID!) { resumeWorker(id: $id) { state } }`);
    await waitFor(async () => (await statusOf(waiting)) === 'COMPLETED', 10_000, 'the waiting task to run');

    // Scale to zero with tasks running: they finish, nothing new starts; back up, all complete.
    const batch = (await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, {
      inputs: Array.from({ length: 12 }, () => ({ kind: 'sleep', input: { ms: 300 } })),
    })).data.createTasks.tasks.map((t: { id: string }) => t.id);
    await waitFor(async () => app.executor.runningCount() > 0, 5000, 'work to start');
    expect((await steer(`mutation($id: ID!) { setWorkerConcurrency(id: $id, concurrency: 0) { concurrency } }`)).data.setWorkerConcurrency.concurrency).toBe(0);
    await waitFor(async () => app.executor.runningCount() === 0, 10_000, 'the running tasks to finish');
    const [{ pending }] = await app.db.query<{ pending: number }>(sql`SELECT count(*)::int AS pending FROM tasks WHERE status = 'pending'`);
    expect(pending).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(app.executor.runningCount()).toBe(0);
    await steer(`mutation($id: ID!) { setWorkerConcurrency(id: $id, concurrency: 4) { concurrency } }`);
    await waitFor(async () => {
      const rows = await app.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks WHERE id = ANY(${`{${batch.join(',')}}`}::bigint[]) AND status = 'completed'`);
      return rows[0].n === batch.length;
    }, 20_000, 'every task of the batch to complete');
    const completions = await app.db.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM task_events WHERE type = 'completed' AND task_id = ANY(${`{${batch.join(',')}}`}::bigint[])`);
    expect(completions[0].n).toBe(batch.length);
    const aborted = await app.db.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM task_events WHERE type IN ('requeued', 'retrying', 'failed') AND task_id = ANY(${`{${batch.join(',')}}`}::bigint[])`);
    expect(aborted[0].n).toBe(0);
    expect((await embedded()).concurrency).toBe(4);
  });

  it('shows worker changes live over workerUpdated', async () => {
    const { id } = await embedded();
    const stream = collect(app.ws(), `subscription { workerUpdated { id kind state concurrency } }`, {}, (items) =>
      items.some((i) => i.workerUpdated.kind === 'EXTERNAL') && items.some((i) => i.workerUpdated.concurrency === 7));
    await stream.ready;
    await app.gql(`mutation($id: ID!) { setWorkerConcurrency(id: $id, concurrency: 7) { id } }`, { id });
    await app.gql(`mutation { registerWorker(input: { name: "live", kinds: ["ext.live"] }) { id } }`);
    const items = (await stream.finished).map((i) => i.workerUpdated);
    expect(items).toContainEqual({ id, kind: 'EMBEDDED', state: 'ACTIVE', concurrency: 7 });
    expect(items.some((w) => w.kind === 'EXTERNAL' && w.state === 'ACTIVE')).toBe(true);
    await app.gql(`mutation($id: ID!) { setWorkerConcurrency(id: $id, concurrency: 3) { id } }`, { id });
  });

  it('keeps log lines, streams them live, and caps them with a last line saying so', async () => {
    const id = (await app.gql(`mutation { createTask(input: { kind: "chatty", input: { lines: 3, ms: 800 } }) { task { id } } }`)).data.createTask.task.id;
    const live = collect(app.ws(), `subscription($id: ID!) { taskEvents(taskId: $id, after: "0") { type data } }`, { id }, (items) =>
      items.some((i) => i.taskEvents.type === 'completed'));
    const events = (await live.finished).map((i) => i.taskEvents);
    expect(events.filter((e) => e.type === 'log').map((e) => e.data)).toEqual([0, 1, 2].map((i) => ({ level: 'info', message: `line ${i} x` })));
    const page = (await app.gql(`{ task(id: "${id}") { logs(first: 2) { nodes { level message } pageInfo { hasNextPage endCursor } } } }`)).data.task.logs;
    expect(page.nodes.map((l: { message: string }) => l.message)).toEqual(['line 0 x', 'line 1 x']);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = (await app.gql(`query($after: String) { task(id: "${id}") { logs(after: $after) { nodes { message } } } }`, { after: page.pageInfo.endCursor })).data.task.logs;
    expect(rest.nodes).toEqual([{ message: 'line 2 x' }]);

    const capped = async (input: object) => {
      const task = (await app.gql(`mutation($input: JSON) { createTask(input: { kind: "chatty", input: $input }) { task { id } } }`, { input })).data.createTask.task.id;
      await waitFor(async () => (await statusOf(task)) === 'COMPLETED', 10_000, 'the chatty task');
      return (await app.gql(`{ task(id: "${task}") { logs(first: 1000) { nodes { level message } } } }`)).data.task.logs.nodes as Array<{ level: string; message: string }>;
    };
    // By lines: 5 lines, then the notice, nothing after it.
    const byLines = await capped({ lines: 50 });
    expect(byLines).toHaveLength(6);
    expect(byLines.slice(0, 5).map((l) => l.message)).toEqual([0, 1, 2, 3, 4].map((i) => `line ${i} x`));
    expect(byLines[5]).toEqual({ level: 'warn', message: 'Log limit reached (5 lines or 2048 bytes per task); later lines are dropped' });
    // By bytes: three 800-byte lines pass 2048 on the third.
    const byBytes = await capped({ lines: 4, size: 800 });
    expect(byBytes.map((l) => l.message.length)).toEqual([800, 800, byBytes[2].message.length]);
    expect(byBytes[2].message).toMatch(/^Log limit reached/);

    // retryTask starts a new series of attempts, with a new allowance of lines.
    const logsOf = async (task: string) => (await app.gql(`{ task(id: "${task}") { logs(first: 1000) { nodes { level message } } } }`)).data.task.logs.nodes as Array<{ message: string }>;
    const retried = (await app.gql(`mutation { createTask(input: { kind: "chatty", input: { lines: 50, ms: 2500 } }) { task { id } } }`)).data.createTask.task.id;
    await waitFor(async () => (await logsOf(retried)).length === 6, 10_000, 'the first capped series');
    expect((await app.gql(`mutation { cancelTask(id: "${retried}") { task { status } } }`)).data.cancelTask.task.status).toBe('CANCELLED');
    expect((await app.gql(`mutation { retryTask(id: "${retried}") { task { status } } }`)).data.retryTask.task.status).toBe('PENDING');
    await waitFor(async () => (await statusOf(retried)) === 'COMPLETED', 15_000, 'the retried task');
    const series = (await logsOf(retried)).map((l) => l.message);
    expect(series).toHaveLength(12);
    expect(series.slice(6, 11)).toEqual(series.slice(0, 5));
    expect(series[11]).toMatch(/^Log limit reached/);
  });

  it('reports counts, success rate, timings and throughput, overall and per kind', async () => {
    const all = (await app.gql(`{ taskStats { pending running completed failed cancelled timedOut total successRate sampleSize
      queueWait { averageMs p50Ms p95Ms } runTime { averageMs p50Ms p95Ms } throughput { lastMinute lastHour } } }`)).data.taskStats;
    const [truth] = await app.db.query<Record<string, number>>(sql`
      SELECT count(*)::int AS total, (count(*) FILTER (WHERE status = 'completed'))::int AS completed,
        (count(*) FILTER (WHERE status = 'pending'))::int AS pending FROM tasks`);
    expect(all).toMatchObject({ total: truth.total, completed: truth.completed, pending: truth.pending, successRate: 1 });
    expect(all.sampleSize).toBe(truth.completed);
    // Throughput counts arrivals in a final status: the retried task arrived twice (cancelled, then completed).
    expect(all.throughput.lastMinute).toBe(truth.completed + 1);
    expect(all.runTime.p50Ms).toBeGreaterThan(0);
    expect(all.runTime.p95Ms).toBeGreaterThanOrEqual(all.runTime.p50Ms);

    await app.gql(`mutation { createTask(input: { kind: "fail", input: { message: "no" }, maxAttempts: 1 }) { task { id } } }`);
    await waitFor(async () => (await app.gql(`{ taskStats(kind: "fail") { failed } }`)).data.taskStats.failed === 1, 10_000, 'the failure');
    const fail = (await app.gql(`{ taskStats(kind: "fail") { total failed completed successRate throughput { lastMinute } } }`)).data.taskStats;
    expect(fail).toEqual({ total: 1, failed: 1, completed: 0, successRate: 0, throughput: { lastMinute: 1 } });
    const future = (await app.gql(`query($since: DateTime) { taskStats(since: $since) { sampleSize successRate total } }`, {
      since: new Date(Date.now() + 60_000).toISOString(),
    })).data.taskStats;
    expect(future).toEqual({ sampleSize: 0, successRate: null, total: truth.total + 1 });
  });
});
