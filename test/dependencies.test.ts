// Task dependencies and flows as clients use them: WAITING until the tasks depended on complete,
// PENDING in the statement of the last one, cascades of failure and their undoing by a retry,
// fan-out and fan-in of thousands, and the refusals. Orders are read from the event log, in
// commit order, never from timings.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { TaskFailure, type TaskKind } from '../src/tasks/kind.js';
import { describePg } from './support/db.js';
import { advisoryWaiters, appForFile, connectionTo, waitFor } from './support/app.js';
import { createGate } from './support/gate.js';

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id status dependsOn } } }`;
const CREATE_MANY = `mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id status } } }`;
const FLOW = `mutation($input: CreateFlowInput!) { createFlow(input: $input) { id name status total counts { waiting pending } } }`;
const TASK = `query($id: ID!) { task(id: $id) { id status result error { code message } dependsOn
  dependencies { id status result } dependents { id } flow { id status } } }`;

// What each `seen` task's handler was given as its dependencies.
const seenDependencies = new Map<string, Record<string, unknown>>();
const seen: TaskKind = {
  run: (input, ctx) => {
    seenDependencies.set(ctx.task.id, ctx.dependencies);
    return { input };
  },
};
const gate = createGate();
// Fails for good while `flakyFails` is set.
let flakyFails = true;
const flaky: TaskKind = {
  run: () => {
    if (flakyFails) throw new TaskFailure('not yet', 'NOT_YET', false);
    return 'ok';
  },
};

describePg('dependencies', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '16', POLL_INTERVAL_MS: '60000' }, { seen, flaky, gated: gate.kind });
  const code = (r: { errors?: Array<{ extensions?: { code?: string } }> }) => r.errors?.[0]?.extensions?.code;
  const ok = async (query: string, variables: Record<string, unknown>) => {
    const { data, errors } = await app.gql(query, variables);
    expect(errors).toBeUndefined();
    return data;
  };
  const task = async (id: string) => (await ok(TASK, { id })).task;
  const status = async (ids: string[]) =>
    new Map(
      (await app.db.query<{ id: string; status: string }>(sql`SELECT id::text AS id, status::text AS status FROM tasks WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[])`)).map(
        (r) => [r.id, r.status],
      ),
    );
  const settled = (ids: string[], want = (s: string) => ['completed', 'failed', 'cancelled', 'timed_out'].includes(s), what = 'tasks to end') =>
    waitFor(async () => [...(await status(ids)).values()].every(want) && (await status(ids)).size === ids.length, 60_000, what);
  /** Event types and ids of these tasks, in commit order. */
  const events = async (ids: string[]) =>
    app.db.query<{ id: number; task_id: string; type: string; status: string; data: Record<string, unknown> | null }>(sql`
      SELECT id::float8 AS id, task_id::text AS task_id, type, status::text AS status, data FROM task_events
      WHERE task_id = ANY(${`{${ids.join(',')}}`}::bigint[]) ORDER BY id`);
  const tasksCount = async () => (await app.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks`))[0].n;

  it('a task waits for the one it depends on, and is made pending in the statement that completes it', async () => {
    const { createTask: parent } = await ok(CREATE, { input: { kind: 'sleep', input: { ms: 300 } } });
    const { createTask: child } = await ok(CREATE, { input: { kind: 'seen', input: 1, dependsOn: [parent.task.id] } });
    expect(child.task).toMatchObject({ status: 'WAITING', dependsOn: [parent.task.id] });
    await settled([child.task.id]);
    const log = await events([parent.task.id, child.task.id]);
    const completed = log.find((e) => e.task_id === parent.task.id && e.type === 'completed')!;
    const childEvents = log.filter((e) => e.task_id === child.task.id).map((e) => `${e.type}:${e.status}`);
    expect(childEvents).toEqual(['created:waiting', 'ready:pending', 'started:running', 'completed:completed']);
    // The very next event, written by the same statement: no poll in between. The executor whose
    // outcome made it ready had a free slot, so that statement started it there too.
    const ready = log.find((e) => e.task_id === child.task.id && e.type === 'ready')!;
    const started = log.find((e) => e.task_id === child.task.id && e.type === 'started')!;
    expect(ready.id).toBe(completed.id + 1);
    expect(started.id).toBe(ready.id + 1);
    expect(started.data).toEqual({ attempt: 1, workerId: app.executor.workerId });
    const read = await task(child.task.id);
    expect(read.dependencies).toEqual([{ id: parent.task.id, status: 'COMPLETED', result: { sleptMs: 300 } }]);
    expect(seenDependencies.get(child.task.id)).toEqual({ [parent.task.id]: { kind: 'sleep', status: 'completed', result: { sleptMs: 300 } } });
    expect((await task(parent.task.id)).dependents).toEqual([{ id: child.task.id }]);
  });

  it('a dependency already completed counts as done: the task is pending at once', async () => {
    const { createTask: parent } = await ok(CREATE, { input: { kind: 'echo', input: 1 } });
    await settled([parent.task.id]);
    const { createTask: child } = await ok(CREATE, { input: { kind: 'echo', dependsOn: [parent.task.id] } });
    expect(['PENDING', 'RUNNING', 'COMPLETED']).toContain(child.task.status);
    await settled([child.task.id]);
  });

  it('runs a diamond flow in dependency order and hands each task its parents', async () => {
    const { createFlow: flow } = await ok(FLOW, {
      input: {
        name: 'diamond',
        tasks: [
          { ref: 'd', kind: 'seen', input: 'd', dependsOn: ['b', 'c'] },
          { ref: 'a', kind: 'seen', input: 'a' },
          { ref: 'b', kind: 'seen', input: 'b', dependsOn: ['a'] },
          { ref: 'c', kind: 'seen', input: 'c', dependsOn: ['a'] },
        ],
      },
    });
    expect(flow).toMatchObject({ name: 'diamond', status: 'RUNNING', total: 4 });
    expect(flow.counts.waiting).toBe(3);
    const ids = (await app.db.query<{ id: string }>(sql`SELECT id::text AS id FROM tasks WHERE flow_id = ${flow.id}::bigint ORDER BY tasks.id`)).map((r) => r.id);
    const [d, a, b, c] = ids;
    await settled(ids);
    const log = await events(ids);
    const at = (id: string, type: string) => log.findIndex((e) => e.task_id === id && e.type === type);
    expect(at(a, 'completed')).toBeLessThan(at(b, 'started'));
    expect(at(a, 'completed')).toBeLessThan(at(c, 'started'));
    expect(Math.max(at(b, 'completed'), at(c, 'completed'))).toBeLessThan(at(d, 'ready'));
    expect(Object.keys(seenDependencies.get(d)!).sort()).toEqual([b, c].sort());
    expect(seenDependencies.get(d)![b]).toEqual({ kind: 'seen', status: 'completed', result: { input: 'b' } });
    const done = await ok(`query($id: ID!) { flow(id: $id) { status progress finishedAt counts { completed } tasks(first: 10) { totalCount nodes { id flow { id } } } } }`, { id: flow.id });
    expect(done.flow).toMatchObject({ status: 'COMPLETED', progress: 1, counts: { completed: 4 }, tasks: { totalCount: 4 } });
    expect(done.flow.finishedAt).not.toBeNull();
    expect(done.flow.tasks.nodes.every((n: { flow: { id: string } }) => n.flow.id === flow.id)).toBe(true);
  });

  it('runs a chain of 1,000 in order', async () => {
    const tasks = Array.from({ length: 1000 }, (_, i) => ({ ref: `t${i}`, kind: 'echo', input: i, dependsOn: i ? [`t${i - 1}`] : [] }));
    const { createFlow: flow } = await ok(FLOW, { input: { tasks } });
    const ids = (await app.db.query<{ id: string }>(sql`SELECT id::text AS id FROM tasks WHERE flow_id = ${flow.id}::bigint ORDER BY tasks.id`)).map((r) => r.id);
    await waitFor(async () => (await ok(`query($id: ID!) { flow(id: $id) { status } }`, { id: flow.id })).flow.status === 'COMPLETED', 120_000, 'the chain');
    const starts = (await events(ids)).filter((e) => e.type === 'started').map((e) => e.task_id);
    expect(starts).toEqual(ids);
  }, 150_000);

  it('runs a layered flow with claims and outcomes racing, and no statement deadlocks', async () => {
    // Each task depends on two of the layer before: outcomes settle dependents while claims take
    // others, in every order. Settling takes the event lock before the counters' rows, as every
    // other statement does, so none waits for another in a cycle (the database counts deadlocks).
    const deadlocks = async () =>
      (await app.db.query<{ n: number }>(sql`SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()`))[0].n;
    const before = await deadlocks();
    const width = 20;
    const tasks = [];
    for (let l = 0; l < 10; l++) {
      for (let i = 0; i < width; i++) tasks.push({ ref: `${l}.${i}`, kind: 'echo', dependsOn: l ? [`${l - 1}.${i}`, `${l - 1}.${(i + 1) % width}`] : [] });
    }
    const { createFlow: flow } = await ok(FLOW, { input: { tasks } });
    await waitFor(async () => (await ok(`query($id: ID!) { flow(id: $id) { status } }`, { id: flow.id })).flow.status === 'COMPLETED', 60_000, 'the layered flow');
    await app.db.query(sql`SELECT pg_stat_force_next_flush()`).catch(() => {});
    expect(await deadlocks()).toBe(before);
  });

  it('fans out to 5,000 and in from 5,000', async () => {
    // The root runs until every child exists: on a busy machine 5,000 inserts outlast any sleep.
    gate.close();
    const { createTask: root } = await ok(CREATE, { input: { kind: 'gated' } });
    await settled([root.task.id], (s) => s === 'running', 'the root to start');
    const children = (await ok(CREATE_MANY, { inputs: Array.from({ length: 5000 }, (_, i) => ({ kind: 'echo', input: i, dependsOn: [root.task.id] })) })).createTasks.tasks;
    expect(children.every((t: { status: string }) => t.status === 'WAITING')).toBe(true);
    const childIds = children.map((t: { id: string }) => t.id) as string[];
    const { createTask: sink } = await ok(CREATE, { input: { kind: 'seen', dependsOn: childIds } });
    expect(sink.task.status).toBe('WAITING');
    gate.open();
    await settled([sink.task.id], (s) => s === 'completed', 'the fan-in task');
    expect(Object.keys(seenDependencies.get(sink.task.id)!)).toHaveLength(5000);
    const log = await events([root.task.id, sink.task.id, ...childIds]);
    const lastChild = Math.max(...log.filter((e) => e.type === 'completed' && childIds.includes(e.task_id)).map((e) => e.id));
    expect(log.find((e) => e.task_id === sink.task.id && e.type === 'ready')!.id).toBeGreaterThan(lastChild);
    const [{ left }] = await app.db.query<{ left: number }>(sql`SELECT dependencies_left AS left FROM tasks WHERE id = ${sink.task.id}::bigint`);
    expect(left).toBe(0);
  }, 120_000);

  it('a failed dependency cancels its dependents down the graph, and a retry puts them back', async () => {
    flakyFails = true;
    const { createFlow: flow } = await ok(FLOW, {
      input: {
        tasks: [
          { ref: 'a', kind: 'flaky', maxAttempts: 1 },
          { ref: 'b', kind: 'echo', dependsOn: ['a'] },
          { ref: 'c', kind: 'echo', dependsOn: ['b'] },
          { ref: 'anyway', kind: 'seen', dependsOn: ['a'], runIfDependenciesFail: true },
        ],
      },
    });
    const [a, b, c, anyway] = (await app.db.query<{ id: string }>(sql`SELECT id::text AS id FROM tasks WHERE flow_id = ${flow.id}::bigint ORDER BY tasks.id`)).map((r) => r.id);
    await settled([a, b, c, anyway]);
    expect(Object.fromEntries(await status([a, b, c, anyway]))).toEqual({ [a]: 'failed', [b]: 'cancelled', [c]: 'cancelled', [anyway]: 'completed' });
    expect((await task(b)).error).toEqual({ code: 'DEPENDENCY_FAILED', message: `dependency ${a} ended FAILED` });
    expect((await task(c)).error).toEqual({ code: 'DEPENDENCY_FAILED', message: `dependency ${b} ended CANCELLED` });
    expect(seenDependencies.get(anyway)![a]).toMatchObject({ status: 'failed' });
    expect((await ok(`query($id: ID!) { flow(id: $id) { status } }`, { id: flow.id })).flow.status).toBe('FAILED');
    // The cascade is written in the statement of the failure: b's cancel follows a's failure.
    const log = await events([a, b, c]);
    expect(log.map((e) => `${e.task_id === a ? 'a' : e.task_id === b ? 'b' : 'c'}:${e.type}`).slice(-3)).toEqual(['a:failed', 'b:cancelled', 'c:cancelled']);

    flakyFails = false;
    const retried = await ok(`mutation($id: ID!) { retryTask(id: $id) { task { status } } }`, { id: a });
    expect(retried.retryTask.task.status).toBe('PENDING');
    expect(['waiting', 'pending', 'running', 'completed']).toContain((await status([b]))?.get(b));
    await settled([a, b, c], (s) => s === 'completed', 'the retried chain');
    const after = (await events([b, c])).map((e) => e.type);
    expect(after.filter((t) => t === 'waiting')).toHaveLength(2);
    expect((await ok(`query($id: ID!) { flow(id: $id) { status } }`, { id: flow.id })).flow.status).toBe('COMPLETED');
  });

  it('cancelling a task cancels what waits for it; cancelFlow cancels the rest of a flow', async () => {
    const { createTask: parent } = await ok(CREATE, { input: { kind: 'sleep', input: { ms: 60_000 } } });
    const { createTask: child } = await ok(CREATE, { input: { kind: 'echo', dependsOn: [parent.task.id] } });
    await ok(`mutation($id: ID!) { cancelTask(id: $id) { task { status } } }`, { id: parent.task.id });
    expect((await task(child.task.id)).error.code).toBe('DEPENDENCY_FAILED');

    const { createFlow: flow } = await ok(FLOW, {
      input: { tasks: [{ ref: 'long', kind: 'sleep', input: { ms: 60_000 } }, { ref: 'next', kind: 'echo', dependsOn: ['long'] }] },
    });
    const [long, next] = (await app.db.query<{ id: string }>(sql`SELECT id::text AS id FROM tasks WHERE flow_id = ${flow.id}::bigint ORDER BY tasks.id`)).map((r) => r.id);
    await settled([long], (s) => s === 'running', 'the long task to start');
    const cancelled = await ok(`mutation($id: ID!) { cancelFlow(id: $id) { status counts { cancelled } } }`, { id: flow.id });
    expect(cancelled.cancelFlow).toEqual({ status: 'FAILED', counts: { cancelled: 2 } });
    expect(Object.fromEntries(await status([long, next]))).toEqual({ [long]: 'cancelled', [next]: 'cancelled' });
    await waitFor(async () => app.executor.idle(), 5000, 'the aborted handler to be gone');
  });

  it('refuses unknown ids, cycles, unknown refs and keys with dependencies, and writes nothing', async () => {
    const before = await tasksCount();
    const unknown = await app.gql(CREATE, { input: { kind: 'echo', dependsOn: ['999999999'] } });
    expect(code(unknown)).toBe('INVALID_INPUT');
    expect(unknown.errors[0].message).toContain('999999999');
    const cycle = await app.gql(FLOW, {
      input: { tasks: [{ ref: 'x', kind: 'echo', dependsOn: ['z'] }, { ref: 'y', kind: 'echo', dependsOn: ['x'] }, { ref: 'z', kind: 'echo', dependsOn: ['y'] }] },
    });
    expect(code(cycle)).toBe('INVALID_INPUT');
    expect(cycle.errors[0].message).toMatch(/cycle: x -> z -> y -> x/);
    expect(code(await app.gql(FLOW, { input: { tasks: [{ ref: 'x', kind: 'echo', dependsOn: ['x'] }] } }))).toBe('INVALID_INPUT');
    expect(code(await app.gql(FLOW, { input: { tasks: [{ ref: 'x', kind: 'echo', dependsOn: ['nope'] }] } }))).toBe('INVALID_INPUT');
    expect(code(await app.gql(FLOW, { input: { tasks: [{ ref: 'x', kind: 'echo' }, { ref: 'x', kind: 'echo' }] } }))).toBe('INVALID_INPUT');
    expect(code(await app.gql(FLOW, { input: { tasks: [] } }))).toBe('INVALID_INPUT');
    const { createTask: parent } = await ok(CREATE, { input: { kind: 'echo' } });
    expect(code(await app.gql(CREATE, { input: { kind: 'echo', dependsOn: [parent.task.id], idempotencyKey: 'k' } }))).toBe('INVALID_INPUT');
    // A flow naming an unknown id is refused whole: none of its tasks is written.
    const partly = await app.gql(FLOW, { input: { tasks: [{ ref: 'ok', kind: 'echo' }, { ref: 'bad', kind: 'echo', dependsOn: ['ok', '888888888'] }] } });
    expect(code(partly)).toBe('INVALID_INPUT');
    expect(await tasksCount()).toBe(before + 1);
    expect(code(await app.gql(`query { flow(id: "abc") { id } }`))).toBe('INVALID_INPUT');
    expect((await ok(`query { flow(id: "987654321") { id } }`, {})).flow).toBeNull();
  });

  it('never leaves a task waiting when its dependencies complete while it is being created', async () => {
    // Parents that end while their children's creates are in flight, on other connections:
    // whichever commits first, the child is settled.
    const parents = (await ok(CREATE_MANY, { inputs: Array.from({ length: 200 }, (_, i) => ({ kind: 'echo', input: i })) })).createTasks.tasks.map(
      (t: { id: string }) => t.id,
    ) as string[];
    const children = await Promise.all(
      parents.map(async (id) => (await ok(CREATE, { input: { kind: 'echo', dependsOn: [id] } })).createTask.task.id as string),
    );
    await settled(children, (s) => s === 'completed', 'every child to run');
  });

  it('settles a task whose create held its dependency while the dependency completed', async () => {
    // The create marks its dependency (a row lock) and then waits for the event lock, held here;
    // meanwhile the dependency's outcome waits for that row. Released, the create commits first,
    // and the outcome, its snapshot older than the new task, must still find and settle it.
    gate.close();
    const { createTask: parent } = await ok(CREATE, { input: { kind: 'gated' } });
    await settled([parent.task.id], (s) => s === 'running', 'the dependency to run');
    const holder = await connectionTo(app);
    let child: Promise<{ data: { createTask: { task: { id: string } } } }>;
    try {
      await holder`SELECT pg_advisory_lock(task_event_lock())`;
      child = app.gql(CREATE, { input: { kind: 'echo', dependsOn: [parent.task.id] } });
      await waitFor(async () => (await advisoryWaiters(holder)).length > 0, 5000, 'the create to wait for the event lock');
      gate.open();
      await waitFor(
        async () =>
          (await holder`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'transactionid'`).length > 0,
        5000,
        "the outcome to wait for the dependency's row",
      );
    } finally {
      await holder`SELECT pg_advisory_unlock(task_event_lock())`;
      await holder.end();
    }
    const { id } = (await child!).data.createTask.task;
    await settled([id], (s) => s === 'completed', 'the new task to run');
  });
});
