// A task that becomes due later, a retry after its backoff or a task created with a later runAt,
// is claimed when it becomes due, whichever process made it pending, not at the next poll. The
// poll here is a minute apart, so a task still waiting for it fails the test.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { describePg } from './support/db.js';
import { appForFile, claimBegun, databaseUrlOf, heartbeatOf, startApp, waitFor } from './support/app.js';

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id status } } }`;
const TASK = `query($id: ID!) { task(id: $id) { status attempts startedAt runAt } }`;

describePg('timed wakes', () => {
  const app = appForFile({ POLL_INTERVAL_MS: '60000', RETRY_BACKOFF_MS: '300' });

  const create = async (input: Record<string, unknown>) => {
    const { data, errors } = await app.gql(CREATE, { input });
    expect(errors).toBeUndefined();
    return data.createTask.task as { id: string; status: string };
  };
  const completed = (id: string) =>
    waitFor(async () => {
      const task = (await app.gql(TASK, { id })).data.task;
      return task.status === 'COMPLETED' && task;
    }, 10_000, `task ${id} to complete well before the next poll`);

  it('runs a retry when its backoff ends', async () => {
    const { id } = await create({ kind: 'fail', input: { attempts: 1, message: 'once' }, maxAttempts: 2 });
    expect(await completed(id)).toMatchObject({ attempts: 2 });
    const events = await app.db.query<{ type: string; at: Date; data: any }>(sql`
      SELECT type, at, data FROM task_events WHERE task_id = ${id}::bigint ORDER BY id`);
    expect(events.map((e) => e.type)).toEqual(['created', 'started', 'retrying', 'started', 'completed']);
    const retrying = events[2];
    // Not before the backoff ended, by the database's clock.
    expect(new Date(events[3].at).getTime() - new Date(retrying.at).getTime()).toBeGreaterThanOrEqual(retrying.data.retryInMs);
  });

  it('runs a task created with a later runAt when that time comes', async () => {
    const runAt = new Date(Date.now() + 600);
    const task = await create({ kind: 'echo', input: 1, runAt: runAt.toISOString() });
    expect(task.status).toBe('PENDING');
    const done = await completed(task.id);
    expect(new Date(done.startedAt).getTime()).toBeGreaterThanOrEqual(new Date(done.runAt).getTime());
  });

  it('runs tasks with different runAt times each when it comes, the later ones included', async () => {
    const now = Date.now();
    const tasks = await Promise.all([300, 900, 1500].map((ms) => create({ kind: 'echo', input: ms, runAt: new Date(now + ms).toISOString() })));
    for (const task of tasks) await completed(task.id);
  });

  it('runs each of more tasks than a due notice names (20), created in one statement, when it comes', async () => {
    const now = Date.now();
    const { data, errors } = await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, {
      inputs: Array.from({ length: 30 }, (_, i) => ({ kind: 'echo', input: i, runAt: new Date(now + 400 + 40 * i).toISOString() })),
    });
    expect(errors).toBeUndefined();
    for (const task of data.createTasks.tasks) await completed(task.id);
  });

  it('runs a task scheduled through another process (one that runs nothing) when it becomes due', async () => {
    const api = await startApp({ DATABASE_URL: await databaseUrlOf(app), EXECUTOR_CONCURRENCY: '0', POLL_INTERVAL_MS: '60000' });
    try {
      const { data, errors } = await api.gql(CREATE, { input: { kind: 'echo', input: 2, runAt: new Date(Date.now() + 600).toISOString() } });
      expect(errors).toBeUndefined();
      expect(data.createTask.task.status).toBe('PENDING');
      await completed(data.createTask.task.id);
    } finally {
      await api.stop();
    }
  });

  it("answers an external worker's long poll when a task of its kinds created meanwhile becomes due", async () => {
    const worker = (await app.gql(`mutation { registerWorker(input: { name: "due", kinds: ["ext.due"] }) { id } }`)).data.registerWorker;
    const started = Date.now();
    const before = await heartbeatOf(app, worker.id);
    const polling = app.gql(`mutation($w: ID!) { claimTasks(workerId: $w, limit: 1, waitSeconds: 30) { id } }`, { w: worker.id });
    await claimBegun(app, worker.id, before);
    // Its creation wakes the long poll, whose claim is too early for it; its due notice is kept.
    const task = await create({ kind: 'ext.due', input: null, runAt: new Date(Date.now() + 700).toISOString() });
    const claimed = (await polling).data.claimTasks;
    expect(claimed).toEqual([{ id: task.id }]);
    // Well before the poll's end (30 s) or the poll interval (60 s).
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
