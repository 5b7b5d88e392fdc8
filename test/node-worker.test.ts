// The Node worker that speaks GraphQL only (src/remote-worker): kinds written once run there as
// they would embedded (the same TaskContext, TaskFailure codes, schema checks), cancellation and
// timeouts reach the handler's signal, it outlasts an unreachable server and a server that forgot
// it, and `task-executor worker` runs as a process with no database code, stopping cleanly on SIGTERM.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defineKind } from '../src/kinds/define-kind.js';
import { runRemoteWorker, type RemoteWorker } from '../src/remote-worker/index.js';
import { TaskFailure, type TaskContext } from '../src/tasks/kind.js';
import { describeIssues } from '../src/tasks/schemas.js';
import { appForFile, collect, waitFor } from './support/app.js';
import { cli } from './support/cli.js';
import { describePg } from './support/db.js';
import { startProxy } from './support/proxy.js';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.js';

const TASK = `query($id: ID!) { task(id: $id) { id status attempts result error { code message } } }`;
const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } } }`;

/** What each handler saw, by task id. */
const seen = new Map<string, { task: TaskContext['task']; dependencies: TaskContext['dependencies'] }>();
const abortReasons = new Map<string, unknown>();
const gates = new Map<string, { opened: Promise<void>; open(): void }>();
function gate(id: string) {
  if (!gates.has(id)) {
    let open = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    gates.set(id, { opened, open });
  }
  return gates.get(id)!;
}
/** Runs until its signal fires, and keeps the reason. */
const untilAborted = (_: unknown, ctx: TaskContext) =>
  new Promise((_resolve, reject) =>
    ctx.signal.addEventListener('abort', () => {
      abortReasons.set(ctx.task.id, ctx.signal.reason);
      reject(ctx.signal.reason);
    }),
  );

const typed = defineKind({
  name: 'node.typed',
  input: { type: 'object', required: ['n', 'label'], properties: { n: { type: 'integer' }, label: { type: 'string' } } },
  result: { type: 'object', required: ['doubled'], properties: { doubled: { type: 'integer' } } },
  run: (input: { n: number; label: string }, ctx) => {
    seen.set(ctx.task.id, { task: ctx.task, dependencies: ctx.dependencies });
    return { doubled: input.label === 'bad' ? 'not a number' : input.n * 2 } as { doubled: number };
  },
});

const kinds = {
  'node.echo': defineKind({
    name: 'node.echo',
    run: (input, ctx) => {
      seen.set(ctx.task.id, { task: ctx.task, dependencies: ctx.dependencies });
      return { echoed: input };
    },
  }),
  'node.report': defineKind({
    name: 'node.report',
    async run(_, ctx) {
      await gate(ctx.task.id).opened;
      for (let i = 1; i < 10; i++) void ctx.progress(i / 10, `step ${i}`);
      await ctx.progress(1, 'done');
      await ctx.log('working', 'warn');
      return 'reported';
    },
  }),
  'node.flaky': defineKind({
    name: 'node.flaky',
    run: (_, ctx) => {
      if (ctx.task.attempt === 1) throw new TaskFailure('not yet', 'NOT_YET');
      throw new TaskFailure('broken', 'BROKEN', false);
    },
  }),
  'node.wait': defineKind({ name: 'node.wait', run: untilAborted }),
  'node.typed': typed,
};

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describePg('a Node worker over GraphQL', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '2', LEASE_SECONDS: '2' });
  let worker: RemoteWorker;
  beforeAll(async () => {
    worker = await runRemoteWorker({ url: `${app.url}/graphql`, kinds, name: 'node-test', concurrency: 4, log, waitSeconds: 5 });
  });
  afterAll(() => worker?.stop());

  const create = async (input: Record<string, unknown>) => {
    const response = await app.gql(CREATE, { input });
    expect(response.errors).toBeUndefined();
    return response.data.createTask.task.id as string;
  };
  const task = async (id: string) => (await app.gql(TASK, { id })).data.task;
  const settled = (id: string) =>
    waitFor(async () => ((t) => !['WAITING', 'PENDING', 'RUNNING'].includes(t.status) && t)(await task(id)), 20_000, `task ${id} to end`);
  /** The worker its latest attempt ran on, as its started event says (a finished task holds none). */
  const ranOn = async (id: string) =>
    (await app.db.query<{ worker: string }>(sql`SELECT data->>'workerId' AS worker FROM task_events WHERE task_id = ${id}::bigint AND type = 'started' ORDER BY id DESC LIMIT 1`))[0]?.worker;
  const running = (id: string) => waitFor(async () => (await task(id)).status === 'RUNNING', 20_000, `task ${id} to run`);

  it('registers and shows in workers; a task of its kind runs there and completes with its result', async () => {
    const { code, stdout } = await cli(app.url, 'workers');
    expect(code).toBe(0);
    const listed = JSON.parse(stdout).find((w: { id: string }) => w.id === worker.workerId);
    expect(listed).toMatchObject({ name: 'node-test', kind: 'EXTERNAL', state: 'ACTIVE', concurrency: 4, kinds: Object.keys(kinds).sort() });
    const id = await create({ kind: 'node.echo', input: { text: 'hi' }, maxAttempts: 2 });
    expect(await settled(id)).toMatchObject({ status: 'COMPLETED', result: { echoed: { text: 'hi' } } });
    expect(await ranOn(id)).toBe(worker.workerId);
    expect(seen.get(id)).toEqual({ task: { id, kind: 'node.echo', attempt: 1, maxAttempts: 2 }, dependencies: {} });
  });

  it('sends progress (coalesced: the latest value) and log lines to task_events and live to a subscriber', async () => {
    const id = await create({ kind: 'node.report' });
    await running(id);
    const subscription = collect(app.ws(), `subscription($id: ID!) { taskEvents(taskId: $id) { type data } }`, { id }, (items) =>
      items.some((i) => i.taskEvents.type === 'completed'),
    );
    await subscription.ready;
    gate(id).open();
    const live = (await subscription.finished).map((i) => i.taskEvents);
    const progress = live.filter((e) => e.type === 'progress');
    expect(progress.length).toBeLessThan(10);
    expect(progress.at(-1).data).toEqual({ progress: 1, message: 'done' });
    expect(live.filter((e) => e.type !== 'progress')).toEqual([
      { type: 'log', data: { level: 'warn', message: 'working' } },
      { type: 'completed', data: expect.anything() },
    ]);
    const stored = await app.db.query<{ type: string; data: unknown }>(
      sql`SELECT type, data FROM task_events WHERE task_id = ${id}::bigint AND type IN ('progress', 'log', 'completed') ORDER BY id`,
    );
    expect(stored).toEqual(live);
    expect((await task(id)).result).toBe('reported');
  });

  it('gives a task with dependsOn its parents as ctx.dependencies, embedded and remote parents alike', async () => {
    const embedded = await create({ kind: 'echo', input: { from: 'embedded' } });
    const remote = await create({ kind: 'node.echo', input: 'remote' });
    const child = await create({ kind: 'node.echo', dependsOn: [embedded, remote] });
    expect((await settled(child)).status).toBe('COMPLETED');
    expect(seen.get(child)!.dependencies).toEqual({
      [embedded]: { kind: 'echo', status: 'completed', result: { from: 'embedded' } },
      [remote]: { kind: 'node.echo', status: 'completed', result: { echoed: 'remote' } },
    });
  });

  it("keeps a TaskFailure's code and retryable: retried while attempts remain, then failed for good", async () => {
    const id = await create({ kind: 'node.flaky', maxAttempts: 5 });
    expect(await settled(id)).toMatchObject({ status: 'FAILED', attempts: 2, error: { code: 'BROKEN', message: 'broken' } });
    const retries = await app.db.query<{ data: { error: { code: string } } }>(sql`SELECT data FROM task_events WHERE task_id = ${id}::bigint AND type = 'retrying'`);
    expect(retries.map((r) => r.data.error)).toEqual([{ code: 'NOT_YET', message: 'not yet' }]);
  });

  it("aborts the handler's signal on a cancel over GraphQL; the task ends CANCELLED", async () => {
    const id = await create({ kind: 'node.wait' });
    await running(id);
    expect((await app.gql(`mutation($id: ID!) { cancelTask(id: $id) { task { status } } }`, { id })).data.cancelTask.task.status).toBe('CANCELLED');
    const reason = await waitFor(async () => abortReasons.get(id), 10_000, 'the handler to see the abort');
    expect(reason).toBeInstanceOf(Error);
    expect((reason as Error).message).toMatch(/cancel/i);
    expect(await task(id)).toMatchObject({ status: 'CANCELLED' });
    // Its slot is free again: the next task of its kind runs.
    const next = await create({ kind: 'node.echo', input: 1 });
    expect((await settled(next)).status).toBe('COMPLETED');
  });

  it("aborts the handler's signal when the task's timeout passes", async () => {
    const id = await create({ kind: 'node.wait', timeoutSeconds: 1, maxAttempts: 1 });
    const reason = await waitFor(async () => abortReasons.get(id), 15_000, 'the timeout');
    expect(reason).toMatchObject({ code: 'TIMEOUT', message: 'Timed out after 1 s' });
    expect(await settled(id)).toMatchObject({ status: 'TIMED_OUT', error: { code: 'TIMEOUT' } });
  });

  it("fails an input its kind's schema refuses with INVALID_INPUT, every path named, and no retry", async () => {
    const input = { n: 'x' };
    const check = await typed.input!.check(input);
    expect(check.ok ? [] : check.issues).toHaveLength(2);
    // The server knows the kind by name only, so it took the input; the worker is where it is checked.
    const id = await create({ kind: 'node.typed', input, maxAttempts: 3 });
    const failed = await settled(id);
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 1, error: { code: 'INVALID_INPUT' } });
    expect(failed.error.message).toBe(describeIssues('input', check.ok ? [] : check.issues));
    expect(seen.has(id)).toBe(false);
  });

  it("fails a result its kind's schema refuses with INVALID_RESULT", async () => {
    const good = await create({ kind: 'node.typed', input: { n: 2, label: 'ok' } });
    expect(await settled(good)).toMatchObject({ status: 'COMPLETED', result: { doubled: 4 } });
    const id = await create({ kind: 'node.typed', input: { n: 2, label: 'bad' }, maxAttempts: 1 });
    const failed = await settled(id);
    const check = await typed.result!.check({ doubled: 'not a number' });
    expect(check.ok).toBe(false);
    expect(failed).toMatchObject({ status: 'FAILED', error: { code: 'INVALID_RESULT', message: describeIssues('result', check.ok ? [] : check.issues) } });
  });

  it('registers again after the server forgot it', async () => {
    const other = await runRemoteWorker({ url: `${app.url}/graphql`, kinds: { 'node.forgotten': { run: kinds['node.echo'].run } }, name: 'node-forgotten', log, waitSeconds: 1 });
    try {
      const first = other.workerId;
      await app.db.query(sql`DELETE FROM workers WHERE id = ${first}`);
      await waitFor(async () => other.workerId !== first, 15_000, 'a new registration');
      const row = (await app.gql(`query($id: ID!) { worker(id: $id) { name state kinds } }`, { id: other.workerId })).data.worker;
      expect(row).toEqual({ name: 'node-forgotten', state: 'ACTIVE', kinds: ['node.forgotten'] });
      const id = await create({ kind: 'node.forgotten', input: 'again' });
      expect((await settled(id)).status).toBe('COMPLETED');
      expect(await ranOn(id)).toBe(other.workerId);
    } finally {
      await other.stop();
    }
  });

  it('waits out an unreachable server with backoff, at registration and while claiming', async () => {
    const proxy = await startProxy({ host: '127.0.0.1', port: Number(new URL(app.url).port) });
    const lines: string[] = [];
    const recorded = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const logged = (message: string, from = 0) => waitFor(async () => lines.slice(from).some((l) => l.includes(message)), 20_000, message);
    proxy.cut();
    const starting = runRemoteWorker({ url: `http://127.0.0.1:${proxy.port}/graphql`, kinds: { 'node.away': { run: kinds['node.echo'].run } }, name: 'node-away', log: recorded, waitSeconds: 1 });
    let away: RemoteWorker | undefined;
    try {
      await logged('server not reachable; trying again');
      proxy.restore();
      away = await starting;
      const before = lines.length;
      proxy.cut();
      await logged('claim failed: server not reachable', before);
      proxy.restore();
      const id = await create({ kind: 'node.away', input: 'back' });
      expect((await settled(id)).status).toBe('COMPLETED');
      expect(await ranOn(id)).toBe(away.workerId);
    } finally {
      proxy.restore();
      await (away ?? (await starting)).stop();
      await proxy.close();
    }
  });

  it('runs as `task-executor worker --kinds`, with no database code, and stops on SIGTERM with exit 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'node-worker-'));
    const children: WorkerProcess[] = [];
    try {
      await writeFile(join(dir, 'kinds.mjs'), KINDS_MODULE);
      // First, that the check bites: a kinds module that reaches database code makes the command fail.
      await writeFile(join(dir, 'reaches-db.mjs'), `import ${JSON.stringify(pathToFileURL(join(process.cwd(), 'src/store/index.ts')).href)};\nexport const k = { run: () => 1 };\n`);
      const refused = startWorkerProcess(dir, app.url, '--kinds', './reaches-db.mjs');
      children.push(refused);
      expect((await refused.exited).code).not.toBe(0);
      expect(refused.out.stderr).toContain('database code imported in a worker');

      const child = startWorkerProcess(dir, app.url, '--kinds', './kinds.mjs', '--name', 'cli-worker', '--concurrency', '3', '--grace-seconds', '5');
      children.push(child);
      let exited = false;
      void child.exited.then(() => (exited = true));
      const registered = await waitFor(async () => exited || child.lines().find((l) => l.msg === 'worker registered'), 30_000, 'the worker to register');
      expect(registered, child.out.stderr).toMatchObject({ msg: 'worker registered' });
      expect(registered).toMatchObject({ name: 'cli-worker', kinds: ['cli.finish-on-signal', 'cli.hang', 'cli.reverse'], concurrency: 3 });
      const reversed = await create({ kind: 'cli.reverse', input: { text: 'hello' } });
      expect(await settled(reversed)).toMatchObject({ status: 'COMPLETED', result: { reversed: 'olleh' } });
      expect(await ranOn(reversed)).toBe((registered as { workerId: string }).workerId);

      const finishing = await create({ kind: 'cli.finish-on-signal' });
      const hanging = await create({ kind: 'cli.hang', maxAttempts: 3 });
      // Their handlers have begun (claimed is not enough: finish-on-signal must be listening for SIGUSR2).
      const started = (id: string) => child.lines().some((l) => l.msg === 'task started' && l.taskId === id);
      await waitFor(async () => started(finishing) && started(hanging), 20_000, 'both handlers to start');
      child.kill('SIGTERM');
      // Claiming has ended; a task that finishes now is within the grace and must be recorded.
      await waitFor(async () => child.lines().some((l) => String(l.msg).startsWith('stopping: no more claims')), 20_000, 'the stop');
      child.kill('SIGUSR2');
      expect(await child.exited).toEqual({ code: 0, signal: null });
      expect(child.out.stderr).toBe('');
      expect(child.lines().some((l) => l.msg === 'worker stopped')).toBe(true);
      // Within its grace a running task finishes; past it, it is handed back, its attempt not counted.
      expect(await task(finishing)).toMatchObject({ status: 'COMPLETED', result: { finished: 'in its grace' } });
      expect(await task(hanging)).toMatchObject({ status: 'PENDING', attempts: 0 });
      const [last] = await app.db.query<{ type: string; data: unknown }>(
        sql`SELECT type, data FROM task_events WHERE task_id = ${hanging}::bigint ORDER BY id DESC LIMIT 1`,
      );
      expect(last).toEqual({ type: 'requeued', data: { reason: 'shutdown' } });
    } finally {
      for (const child of children) child.kill('SIGKILL');
      await Promise.all(children.map((c) => c.exited));
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** An app's kinds module as plain JavaScript: objects with a name and a run function, no imports. */
const KINDS_MODULE = `
export const reverse = { name: 'cli.reverse', run: (input) => ({ reversed: [...String(input.text)].reverse().join('') }) };
// Finishes when the test says so (SIGUSR2), after the worker was told to stop: within its grace.
export const finishOnSignal = {
  name: 'cli.finish-on-signal',
  run: () => new Promise((resolve) => process.once('SIGUSR2', () => resolve({ finished: 'in its grace' }))),
};
export const hang = {
  name: 'cli.hang',
  run: (input, ctx) => new Promise((resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
};
`;
