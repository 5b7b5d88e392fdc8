// External workers over plain GraphQL: register, claim (and long-poll), heartbeat, report, complete
// and fail; every mistake answered with its code while nothing changes; leases, timeouts and
// cancellation under the same rules as the embedded executor.
import { expect, it } from 'vitest';
import { describePg } from './support/db.js';
import { appForFile, claimBegun, heartbeatOf, waitFor } from './support/app.js';

const REGISTER = `mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) { id kind state kinds concurrency leaseSeconds } }`;
const CLAIM = `mutation($w: ID!, $n: Int!, $wait: Int) { claimTasks(workerId: $w, limit: $n, waitSeconds: $wait) { id kind status input workerId attempts } }`;
const COMPLETE = `mutation($id: ID!, $w: ID!, $r: JSON) { completeTask(id: $id, workerId: $w, result: $r) { id status result } }`;
const FAIL = `mutation($id: ID!, $w: ID!, $e: String!, $retryable: Boolean) { failTask(id: $id, workerId: $w, error: $e, retryable: $retryable) { id status attempts error { code message } } }`;
const PROGRESS = `mutation($id: ID!, $w: ID!, $p: Float!) { reportTaskProgress(id: $id, workerId: $w, progress: $p, message: "half") { progress progressMessage } }`;
const LOG = `mutation($id: ID!, $w: ID!, $m: String!, $l: String) { appendTaskLog(id: $id, workerId: $w, message: $m, level: $l) { id } }`;
const CREATE = `mutation($kind: String!, $input: JSON, $max: Int, $timeout: Int) { createTask(input: { kind: $kind, input: $input, maxAttempts: $max, timeoutSeconds: $timeout }) { task { id status } } }`;

describePg('external workers', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '2', LEASE_SECONDS: '2' });

  const register = async (kinds: string[], concurrency = 4) =>
    (await app.gql(REGISTER, { input: { name: `test-${kinds.join('+')}`, kinds, concurrency } })).data.registerWorker;
  const create = async (kind: string, input: unknown = null, extra: { max?: number; timeout?: number } = {}) =>
    (await app.gql(CREATE, { kind, input, ...extra })).data.createTask.task.id as string;
  const code = (response: { errors?: Array<{ extensions?: { code?: string } }> }) => response.errors?.[0]?.extensions?.code;
  /** Everything a refused call must leave as it was: these tasks, these workers, their events. */
  const snapshot = async (taskIds: readonly string[], workerIds: readonly string[]) => {
    const tasks = [];
    for (const id of taskIds) tasks.push((await app.gql(`{ task(id: "${id}") { id status attempts workerId result progress error { code } } }`)).data.task);
    const workers = [];
    for (const id of workerIds) workers.push((await app.gql(`{ worker(id: "${id}") { id kind state running processed } }`)).data.worker);
    const { sql } = await import('drizzle-orm');
    const [{ n }] = await app.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM task_events WHERE task_id = ANY(${`{${taskIds.join(',')}}`}::bigint[])`);
    return { tasks, workers, events: n };
  };

  it('accepts the kinds a registered worker serves; the embedded executor never claims them', async () => {
    const before = await app.gql(`mutation { createTask(input: { kind: "ext.only" }) { task { id } } }`);
    expect(code(before)).toBe('UNKNOWN_TASK_KIND');
    const worker = await register(['ext.only']);
    expect(worker).toMatchObject({ kind: 'EXTERNAL', state: 'ACTIVE', kinds: ['ext.only'], concurrency: 4, leaseSeconds: 2 });
    const kinds = (await app.gql(`{ taskKinds }`)).data.taskKinds;
    expect(kinds).toEqual(expect.arrayContaining(['echo', 'sleep', 'ext.only']));
    const id = await create('ext.only', { n: 1 });
    await new Promise((r) => setTimeout(r, 500));
    expect((await app.gql(`{ task(id: "${id}") { status } }`)).data.task.status).toBe('PENDING');
    const claimed = (await app.gql(CLAIM, { w: worker.id, n: 10 })).data.claimTasks;
    expect(claimed).toEqual([{ id, kind: 'ext.only', status: 'RUNNING', input: { n: 1 }, workerId: worker.id, attempts: 1 }]);
    const done = (await app.gql(COMPLETE, { id, w: worker.id, r: { ok: [1, 2] } })).data.completeTask;
    expect(done).toEqual({ id, status: 'COMPLETED', result: { ok: [1, 2] } });
    const listed = (await app.gql(`query($id: ID!) { worker(id: $id) { processed succeeded failed running } }`, { id: worker.id })).data.worker;
    expect(listed).toEqual({ processed: 1, succeeded: 1, failed: 0, running: 0 });
  });

  it('claims only its own kinds, within its free slots', async () => {
    const worker = await register(['ext.slots'], 2);
    const ids = [await create('ext.slots'), await create('ext.slots'), await create('ext.slots')];
    const other = await register(['ext.other']);
    const otherId = await create('ext.other');
    const first = (await app.gql(CLAIM, { w: worker.id, n: 10 })).data.claimTasks.map((t: { id: string }) => t.id);
    expect(first).toEqual(ids.slice(0, 2));
    expect((await app.gql(CLAIM, { w: worker.id, n: 10 })).data.claimTasks).toEqual([]);
    await app.gql(COMPLETE, { id: ids[0], w: worker.id });
    expect((await app.gql(CLAIM, { w: worker.id, n: 10 })).data.claimTasks.map((t: { id: string }) => t.id)).toEqual([ids[2]]);
    expect((await app.gql(CLAIM, { w: other.id, n: 10 })).data.claimTasks.map((t: { id: string }) => t.id)).toEqual([otherId]);
  });

  it('hands back the tasks it holds with releaseTasks: pending again, the attempt not counted; others left alone', async () => {
    const worker = await register(['ext.release'], 3);
    const other = await register(['ext.release'], 1);
    const ids = [await create('ext.release'), await create('ext.release'), await create('ext.release')];
    const mine = (await app.gql(CLAIM, { w: worker.id, n: 2 })).data.claimTasks.map((t: { id: string }) => t.id);
    const theirs = (await app.gql(CLAIM, { w: other.id, n: 1 })).data.claimTasks.map((t: { id: string }) => t.id);
    expect([...mine, ...theirs].sort()).toEqual([...ids].sort());
    const RELEASE = `mutation($w: ID!, $ids: [ID!]!) { releaseTasks(workerId: $w, ids: $ids) }`;
    const released = (await app.gql(RELEASE, { w: worker.id, ids: [...mine, ...theirs] })).data.releaseTasks;
    expect(released.sort()).toEqual([...mine].sort());
    for (const id of mine) expect((await app.gql(`{ task(id: "${id}") { status attempts workerId } }`)).data.task).toEqual({ status: 'PENDING', attempts: 0, workerId: null });
    expect((await app.gql(`{ task(id: "${theirs[0]}") { status workerId } }`)).data.task).toEqual({ status: 'RUNNING', workerId: other.id });
    // Pending again for any worker, at once.
    expect((await app.gql(CLAIM, { w: worker.id, n: 3 })).data.claimTasks.map((t: { id: string; attempts: number }) => t.attempts)).toEqual([1, 1]);
    expect(code(await app.gql(RELEASE, { w: '00000000-0000-0000-0000-000000000000', ids: mine }))).toBe('WORKER_NOT_FOUND');
  });

  it('long-polls: a claim waiting for work returns the task created meanwhile', async () => {
    const worker = await register(['ext.poll']);
    const before = await heartbeatOf(app, worker.id);
    const polling = app.gql(CLAIM, { w: worker.id, n: 1, wait: 30 });
    await claimBegun(app, worker.id, before);
    const id = await create('ext.poll');
    const claimed = (await polling).data.claimTasks;
    expect(claimed.map((t: { id: string }) => t.id)).toEqual([id]);
    // With nothing to claim and no wait, the answer is empty at once.
    expect((await app.gql(CLAIM, { w: worker.id, n: 1, wait: 0 })).data.claimTasks).toEqual([]);
  });

  it('fails with a retry while attempts remain, for good when not retryable; reports progress and logs', async () => {
    const worker = await register(['ext.fail']);
    const id = await create('ext.fail', null, { max: 3 });
    await app.gql(CLAIM, { w: worker.id, n: 1 });
    expect((await app.gql(PROGRESS, { id, w: worker.id, p: 0.5 })).data.reportTaskProgress).toEqual({ progress: 0.5, progressMessage: 'half' });
    expect((await app.gql(LOG, { id, w: worker.id, m: 'working', l: 'warn' })).errors).toBeUndefined();
    const retried = (await app.gql(FAIL, { id, w: worker.id, e: 'boom' })).data.failTask;
    expect(retried).toEqual({ id, status: 'PENDING', attempts: 1, error: { code: 'HANDLER_ERROR', message: 'boom' } });
    const again = await waitFor(async () => (await app.gql(CLAIM, { w: worker.id, n: 1 })).data.claimTasks[0], 10_000, 'the retry');
    expect(again).toMatchObject({ id, attempts: 2 });
    const failed = (await app.gql(FAIL, { id, w: worker.id, e: 'bad input', retryable: false })).data.failTask;
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 2 });
    const logs = (await app.gql(`{ task(id: "${id}") { logs { nodes { level message } } } }`)).data.task.logs.nodes;
    expect(logs).toEqual([{ level: 'warn', message: 'working' }]);
  });

  it('refuses every mistake with its code and changes nothing', async () => {
    const owner = await register(['ext.guard']);
    const intruder = await register(['ext.guard']);
    const held = await create('ext.guard');
    const pending = await create('ext.guard');
    await app.gql(CLAIM, { w: owner.id, n: 1 });
    const finished = await create('ext.guard');
    await app.gql(`mutation { cancelTask(id: "${finished}") { task { id } } }`);
    const embeddedTask = (await app.gql(`mutation { createTask(input: { kind: "sleep", input: { ms: 300000 } }) { task { id } } }`)).data.createTask.task.id;
    await waitFor(async () => (await app.gql(`{ task(id: "${embeddedTask}") { status } }`)).data.task.status === 'RUNNING', 5000, 'the embedded task');
    const scope = [[held, pending, finished, embeddedTask], [owner.id, intruder.id]] as const;
    const before = await snapshot(...scope);
    // Both workers stay alive meanwhile, as real ones would: their 2 s leases must not lapse.
    const beating = setInterval(() => {
      for (const w of [owner, intruder]) void app.gql(`mutation { heartbeatWorker(id: "${w.id}") { cancelledTaskIds } }`);
    }, 500);

    const mistakes: Array<[string, string, Record<string, unknown>]> = [
      ['NOT_TASK_OWNER', COMPLETE, { id: held, w: intruder.id }],
      ['NOT_TASK_OWNER', FAIL, { id: held, w: intruder.id, e: 'x' }],
      ['NOT_TASK_OWNER', PROGRESS, { id: held, w: intruder.id, p: 0.1 }],
      ['NOT_TASK_OWNER', LOG, { id: held, w: intruder.id, m: 'x' }],
      ['NOT_TASK_OWNER', COMPLETE, { id: pending, w: owner.id }],
      ['TASK_FINISHED', COMPLETE, { id: finished, w: owner.id }],
      ['TASK_FINISHED', LOG, { id: finished, w: owner.id, m: 'x' }],
      ['TASK_NOT_FOUND', COMPLETE, { id: '999999', w: owner.id }],
      ['WORKER_NOT_FOUND', COMPLETE, { id: held, w: 'no-such-worker' }],
      // The embedded executor's id does not make a caller an owner of what that executor runs.
      ['WORKER_NOT_FOUND', COMPLETE, { id: embeddedTask, w: app.executor.workerId }],
      ['WORKER_NOT_FOUND', PROGRESS, { id: embeddedTask, w: app.executor.workerId, p: 0.5 }],
      ['WORKER_NOT_FOUND', LOG, { id: embeddedTask, w: app.executor.workerId, m: 'spoofed' }],
      ['WORKER_NOT_FOUND', FAIL, { id: embeddedTask, w: app.executor.workerId, e: 'spoofed' }],
      ['WORKER_NOT_FOUND', CLAIM, { w: app.executor.workerId, n: 1 }],
      ['WORKER_NOT_FOUND', `mutation($id: ID!) { heartbeatWorker(id: $id) { cancelledTaskIds } }`, { id: app.executor.workerId }],
      ['WORKER_NOT_FOUND', CLAIM, { w: 'no-such-worker', n: 1 }],
      ['WORKER_NOT_FOUND', `mutation { heartbeatWorker(id: "no-such-worker") { cancelledTaskIds } }`, {}],
      ['WORKER_NOT_FOUND', `mutation { setWorkerConcurrency(id: "no-such-worker", concurrency: 1) { id } }`, {}],
      ['WORKER_NOT_FOUND', `mutation { pauseWorker(id: "no-such-worker") { id } }`, {}],
      ['INVALID_INPUT', CLAIM, { w: owner.id, n: 0 }],
      ['INVALID_INPUT', CLAIM, { w: owner.id, n: 1, wait: 61 }],
      ['INVALID_INPUT', PROGRESS, { id: held, w: owner.id, p: 1.5 }],
      ['INVALID_INPUT', LOG, { id: held, w: owner.id, m: 'x', l: 'loud' }],
      ['INVALID_INPUT', LOG, { id: held, w: owner.id, m: '' }],
      ['INVALID_INPUT', FAIL, { id: held, w: owner.id, e: '  ' }],
      ['INVALID_INPUT', COMPLETE, { id: 'abc', w: owner.id }],
      ['INVALID_INPUT', REGISTER, { input: { name: 'x', kinds: [] } }],
      ['INVALID_INPUT', REGISTER, { input: { name: 'x', kinds: ['has space'] } }],
      ['INVALID_INPUT', REGISTER, { input: { name: '', kinds: ['ok'] } }],
      ['INVALID_INPUT', REGISTER, { input: { name: 'x', kinds: ['ok'], concurrency: 0 } }],
      ['INVALID_INPUT', `mutation($id: ID!) { setWorkerConcurrency(id: $id, concurrency: -1) { id } }`, { id: owner.id }],
    ];
    for (const [expected, query, variables] of mistakes) {
      const response = await app.gql(query, variables);
      expect({ query: query.slice(0, 40), variables, code: code(response) }).toEqual({ query: query.slice(0, 40), variables, code: expected });
    }
    clearInterval(beating);
    expect(await snapshot(...scope)).toEqual(before);
    await app.gql(`mutation { cancelTask(id: "${embeddedTask}") { task { id } } }`);
  });

  it('rejects a completion that arrives after the lease was lost, and the task runs elsewhere', async () => {
    const slow = await register(['ext.lease']);
    const id = await create('ext.lease');
    await app.gql(CLAIM, { w: slow.id, n: 1 });
    // No heartbeat: past the 2 s lease its task goes back to the queue and the worker offline. The
    // two may come one sweep apart (the claim's own sign of life is a little later than the lease).
    await waitFor(async () => (await app.gql(`{ task(id: "${id}") { status } }`)).data.task.status === 'PENDING', 15_000, 'the requeue');
    const worker = async () => (await app.gql(`query($id: ID!) { worker(id: $id) { state running } }`, { id: slow.id })).data.worker;
    expect((await worker()).running).toBe(0);
    await waitFor(async () => (await worker()).state === 'OFFLINE', 15_000, 'the worker offline');
    const late = await app.gql(COMPLETE, { id, w: slow.id, r: 'late' });
    expect(code(late)).toBe('NOT_TASK_OWNER');
    const other = await register(['ext.lease']);
    await app.gql(CLAIM, { w: other.id, n: 1 });
    const again = await app.gql(COMPLETE, { id, w: slow.id, r: 'late' });
    expect(code(again)).toBe('NOT_TASK_OWNER');
    expect((await app.gql(COMPLETE, { id, w: other.id, r: 'fresh' })).data.completeTask).toMatchObject({ status: 'COMPLETED', result: 'fresh' });
  });

  it('hands over cancellations at the next heartbeat, once, and keeps leases alive', async () => {
    const worker = await register(['ext.cancel']);
    const keep = await create('ext.cancel');
    const drop = await create('ext.cancel');
    await app.gql(CLAIM, { w: worker.id, n: 2 });
    await app.gql(`mutation { cancelTask(id: "${drop}") { task { status } } }`);
    const beat = `mutation($id: ID!) { heartbeatWorker(id: $id) { cancelledTaskIds worker { state running } } }`;
    expect((await app.gql(beat, { id: worker.id })).data.heartbeatWorker).toEqual({ cancelledTaskIds: [drop], worker: { state: 'ACTIVE', running: 1 } });
    // Beating every quarter lease keeps the other task for three leases, with room for a slow machine.
    for (let i = 0; i < 12; i++) {
      await new Promise((r) => setTimeout(r, 500));
      expect((await app.gql(beat, { id: worker.id })).data.heartbeatWorker.cancelledTaskIds).toEqual([]);
    }
    expect((await app.gql(`{ task(id: "${keep}") { status workerId } }`)).data.task).toEqual({ status: 'RUNNING', workerId: worker.id });
    expect(code(await app.gql(COMPLETE, { id: drop, w: worker.id }))).toBe('TASK_FINISHED');
    expect((await app.gql(COMPLETE, { id: keep, w: worker.id })).data.completeTask.status).toBe('COMPLETED');
  });

  it('times out a task an external worker holds past its timeout', async () => {
    const worker = await register(['ext.timeout']);
    const id = await create('ext.timeout', null, { max: 1, timeout: 1 });
    await app.gql(CLAIM, { w: worker.id, n: 1 });
    const beat = setInterval(() => void app.gql(`mutation { heartbeatWorker(id: "${worker.id}") { cancelledTaskIds } }`), 500);
    try {
      const task = await waitFor(async () => {
        const t = (await app.gql(`{ task(id: "${id}") { status error { code } } }`)).data.task;
        return t.status !== 'RUNNING' && t;
      }, 15_000, 'the timeout');
      expect(task).toEqual({ status: 'TIMED_OUT', error: { code: 'TIMEOUT' } });
    } finally {
      clearInterval(beat);
    }
    expect(code(await app.gql(COMPLETE, { id, w: worker.id }))).toBe('TASK_FINISHED');
  });
});
