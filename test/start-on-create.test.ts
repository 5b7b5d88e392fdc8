// Tasks created through a server whose executor is idle start in its free slots in the create
// statement itself (EXECUTOR_START_ON_CREATE): RUNNING in the mutation's answer, `created` then
// `started`, each run once, never past the free slots, never a task not yet due or while paused.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { connect } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { createStore } from '../src/store/index.js';
import { sleep, type TaskKind } from '../src/tasks/kind.js';
import { describePg, freshDatabase } from './support/db.js';
import { advisoryWaiters, appForFile, connectionTo, startApp, waitFor } from './support/app.js';

const runs = new Map<string, number>();
let inFlight = 0;
let mostInFlight = 0;
/** Counts its runs per task and how many run at once, then holds its slot for input.ms. */
const counted: TaskKind<{ ms: number }> = {
  async run({ ms }, ctx) {
    runs.set(ctx.task.id, (runs.get(ctx.task.id) ?? 0) + 1);
    mostInFlight = Math.max(mostInFlight, ++inFlight);
    try {
      await sleep(ms, ctx.signal);
    } finally {
      inFlight--;
    }
  },
};

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id status attempts startedAt } } }`;
const CREATE_MANY = `mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id status attempts } } }`;

describePg('start on create', () => {
  // No poll during these tests: the executor is idle between them, so what it takes is certain.
  const app = appForFile({ EXECUTOR_CONCURRENCY: '3', POLL_INTERVAL_MS: '600000' }, { counted });
  const statusOf = async (id: string) => (await app.gql(`{ task(id: "${id}") { status } }`)).data.task.status as string;
  const events = async (id: string) =>
    app.db.query<{ type: string; status: string }>(sql`SELECT type, status FROM task_events WHERE task_id = ${id}::bigint ORDER BY id`);
  const idle = () => waitFor(async () => app.executor.idle(), 10_000, 'the executor to be idle');

  it('an idle executor takes a new task in the create statement: RUNNING in the answer, created then started, run once', async () => {
    await idle();
    const { task } = (await app.gql(CREATE, { input: { kind: 'counted', input: { ms: 200 } } })).data.createTask;
    expect(task).toMatchObject({ status: 'RUNNING', attempts: 1 });
    expect(task.startedAt).not.toBeNull();
    await waitFor(async () => (await statusOf(task.id)) === 'COMPLETED', 10_000, 'the task to complete');
    expect(await events(task.id)).toEqual([
      { type: 'created', status: 'pending' },
      { type: 'started', status: 'running' },
      { type: 'completed', status: 'completed' },
    ]);
    expect(runs.get(task.id)).toBe(1);
  });

  it('takes no more than its free slots; the rest wait PENDING and run as slots free, each once', async () => {
    await idle();
    mostInFlight = 0;
    const { tasks } = (await app.gql(CREATE_MANY, { inputs: Array.from({ length: 8 }, () => ({ kind: 'counted', input: { ms: 150 } })) })).data.createTasks;
    expect(tasks.map((t: { status: string }) => t.status)).toEqual([...Array(3).fill('RUNNING'), ...Array(5).fill('PENDING')]);
    await waitFor(async () => (await Promise.all(tasks.map((t: { id: string }) => statusOf(t.id)))).every((s) => s === 'COMPLETED'), 15_000, 'all to complete');
    expect(tasks.map((t: { id: string }) => runs.get(t.id))).toEqual(Array(8).fill(1));
    expect(mostInFlight).toBe(3);
  });

  it('concurrent creates never run more than the slots at once, nor a task twice', async () => {
    await idle();
    mostInFlight = 0;
    const answers = await Promise.all(Array.from({ length: 30 }, () => app.gql(CREATE, { input: { kind: 'counted', input: { ms: 30 } } })));
    const ids = answers.map((a) => a.data.createTask.task.id as string);
    await waitFor(async () => ids.every((id) => runs.get(id) === 1) && app.executor.runningCount() === 0, 15_000, 'all to run');
    await waitFor(async () => (await Promise.all(ids.map(statusOf))).every((s) => s === 'COMPLETED'), 10_000, 'all to complete');
    expect(ids.map((id) => runs.get(id))).toEqual(Array(30).fill(1));
    expect(mostInFlight).toBeLessThanOrEqual(3);
  });

  it('leaves a task not yet due, and any task while the worker is paused, to the queue', async () => {
    await idle();
    const later = (await app.gql(CREATE, { input: { kind: 'counted', input: { ms: 0 }, runAt: new Date(Date.now() + 3_600_000).toISOString() } })).data.createTask.task;
    expect(later).toMatchObject({ status: 'PENDING', attempts: 0, startedAt: null });
    await app.gql(`mutation($id: ID!) { cancelTask(id: $id) { task { status } } }`, { id: later.id });

    const steer = (verb: string) => app.gql(`mutation($id: ID!) { ${verb}(id: $id) { state } }`, { id: app.executor.workerId });
    await steer('pauseWorker');
    await waitFor(async () => app.executor.paused(), 5000, 'the pause to reach the executor');
    const held = (await app.gql(CREATE, { input: { kind: 'counted', input: { ms: 0 } } })).data.createTask.task;
    expect(held).toMatchObject({ status: 'PENDING', attempts: 0 });
    await steer('resumeWorker');
    await waitFor(async () => (await statusOf(held.id)) === 'COMPLETED', 10_000, 'the task to run after the resume');
  });

  it('a repeated idempotency key answers with the task already running here, which runs once', async () => {
    await idle();
    const input = { kind: 'counted', input: { ms: 300 }, idempotencyKey: 'start-on-create-once' };
    const first = (await app.gql(CREATE, { input })).data.createTask.task;
    expect(first).toMatchObject({ status: 'RUNNING', attempts: 1 });
    const again = (await app.gql(CREATE, { input })).data.createTask.task;
    expect(again).toMatchObject({ id: first.id, status: 'RUNNING', attempts: 1 });
    await waitFor(async () => (await statusOf(first.id)) === 'COMPLETED', 10_000, 'the task to complete');
    expect(runs.get(first.id)).toBe(1);
  });

  it('a cancel aborts a task started on create', async () => {
    await idle();
    const { task } = (await app.gql(CREATE, { input: { kind: 'counted', input: { ms: 60_000 } } })).data.createTask;
    expect(task.status).toBe('RUNNING');
    await waitFor(async () => inFlight === 1, 5000, 'the handler to run');
    const cancelled = await app.gql(`mutation($id: ID!) { cancelTask(id: $id) { task { status } } }`, { id: task.id });
    expect(cancelled.data.cancelTask.task.status).toBe('CANCELLED');
    await waitFor(async () => inFlight === 0 && app.executor.idle(), 5000, 'the handler to be aborted');
    expect(await statusOf(task.id)).toBe('CANCELLED');
  });

  it('a create statement that fails gives its slots back', async () => {
    await idle();
    const holder = await connectionTo(app);
    try {
      // The create statement waits for the event lock, held here; then its connection is ended.
      await holder`SELECT pg_advisory_lock(task_event_lock())`;
      const answer = app.gql(CREATE, { input: { kind: 'counted', input: { ms: 0 } } });
      const [pid] = await waitFor(
        async () => {
          const pids = await advisoryWaiters(holder);
          return pids.length > 0 && pids;
        },
        5000,
        'the create to wait for the lock',
      );
      expect(app.executor.idle()).toBe(false);
      await holder`SELECT pg_terminate_backend(${pid})`;
      expect((await answer).errors?.length).toBeGreaterThan(0);
    } finally {
      await holder`SELECT pg_advisory_unlock(task_event_lock())`;
      await holder.end();
    }
    await idle();
    const { task } = (await app.gql(CREATE, { input: { kind: 'counted', input: { ms: 0 } } })).data.createTask;
    expect(task.status).toBe('RUNNING');
  });

  it('keeps the statistics exact: counts per kind and status match the table', async () => {
    await idle();
    // One statement, so no commit falls between the two sides.
    const rows = await app.db.query<{ kind: string; status: string; counted: number | null; actual: number | null }>(sql`
      SELECT kind, status, c.n::int AS counted, t.n::int AS actual
      FROM (SELECT kind, status::text, n FROM task_counts WHERE n <> 0) c
      FULL JOIN (SELECT kind, status::text, count(*) AS n FROM tasks GROUP BY kind, status) t USING (kind, status)`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.counted, `${row.kind} ${row.status}`).toBe(row.actual);
  });

  it('with EXECUTOR_START_ON_CREATE=false the task is PENDING in the answer and claimed as before', async () => {
    const fresh = await freshDatabase();
    const other = await startApp({ DATABASE_URL: fresh.url, EXECUTOR_CONCURRENCY: '3', EXECUTOR_START_ON_CREATE: 'false' }, { counted });
    try {
      const { task } = (await other.gql(CREATE, { input: { kind: 'counted', input: { ms: 0 } } })).data.createTask;
      expect(task).toMatchObject({ status: 'PENDING', attempts: 0 });
      await waitFor(async () => (await other.gql(`{ task(id: "${task.id}") { status } }`)).data.task.status === 'COMPLETED', 10_000, 'the claim');
    } finally {
      await other.stop();
      await fresh.drop();
    }
  });

  it('a worker paused in its row (not yet heard of) claims nothing in the create statement', async () => {
    const fresh = await freshDatabase();
    const db = await connect({ databaseUrl: fresh.url, dataDir: '', poolSize: 2, log: createLogger('silent') });
    try {
      const { migrate } = await import('../src/db/migrate.js');
      await migrate(db);
      const store = createStore(db);
      await db.query(sql`INSERT INTO workers (id, name, kind, kinds, concurrency, lease_seconds, state)
        VALUES ('w-paused', 'w', 'embedded', '{counted}', 3, 30, 'paused')`);
      const task = { kind: 'counted', input: null, priority: 0, runAt: null, maxAttempts: 3, timeoutSeconds: 60, idempotencyKey: null, queue: 'default', concurrencyKey: null, uniqueKey: null, uniqueSeconds: null };
      const [paused] = await store.tasks.insertTasks([task], { workerId: 'w-paused', leaseSeconds: 30, claim: [true] });
      expect(paused).toMatchObject({ status: 'pending', attempts: 0, workerId: null });
      const [taken, left] = await store.tasks.insertTasks([task, task], { workerId: 'w-active', leaseSeconds: 30, claim: [true, false] });
      expect(taken).toMatchObject({ status: 'running', attempts: 1, workerId: 'w-active' });
      expect(taken.startedAt).not.toBeNull();
      expect(left).toMatchObject({ status: 'pending', attempts: 0, workerId: null, startedAt: null });
      const [{ leased }] = await db.query<{ leased: boolean }>(sql`SELECT lease_expires_at > now() AS leased FROM tasks WHERE id = ${taken.id}::bigint`);
      expect(leased).toBe(true);
      const events = await db.query(sql`SELECT task_id::text AS task, type, status::text, data FROM task_events ORDER BY id`);
      expect(events).toEqual([
        { task: paused.id, type: 'created', status: 'pending', data: null },
        { task: taken.id, type: 'created', status: 'pending', data: null },
        { task: taken.id, type: 'started', status: 'running', data: { attempt: 1, workerId: 'w-active' } },
        { task: left.id, type: 'created', status: 'pending', data: null },
      ]);
      const counts = await db.query(sql`SELECT status::text, n::int FROM task_counts WHERE kind = 'counted' AND n <> 0 ORDER BY status`);
      expect(counts).toEqual([{ status: 'pending', n: 2 }, { status: 'running', n: 1 }]);
      // Due by the database's clock only: a runAt a little ahead of it is left pending.
      const [early] = await store.tasks.insertTasks([{ ...task, runAt: new Date(Date.now() + 60_000) }], { workerId: 'w-active', leaseSeconds: 30, claim: [true] });
      expect(early).toMatchObject({ status: 'pending', attempts: 0 });
    } finally {
      await db.close();
      await fresh.drop();
    }
  });
});
