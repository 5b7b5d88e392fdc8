// Several server processes on one database, as deployed: work is shared with no task run twice in
// one attempt, a process killed with SIGKILL loses nothing, and SIGTERM drains and exits 0.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { describePg } from './support/db.js';
import { serversForFile } from './support/servers.js';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { collect, waitFor } from './support/app.js';

const CREATE_MANY = `mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`;

describePg('server processes', () => {
  const cluster = serversForFile();
  const { start } = cluster;
  const count = async (where: ReturnType<typeof sql>) =>
    (await cluster.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks WHERE ${where}`))[0].n;

  it('two processes share 2,000 tasks: each completes exactly once, none started twice', async () => {
    const [one, two] = await Promise.all([start({ EXECUTOR_CONCURRENCY: '8' }), start({ EXECUTOR_CONCURRENCY: '8' })]);
    const ids: string[] = [];
    for (let batch = 0; batch < 4; batch++) {
      const via = batch % 2 ? one : two;
      const { data } = await via.gql(CREATE_MANY, { inputs: Array.from({ length: 500 }, (_, i) => ({ kind: 'echo', input: { batch, i } })) });
      ids.push(...data.createTasks.tasks.map((t: { id: string }) => t.id));
    }
    expect(new Set(ids).size).toBe(2000);
    await waitFor(async () => (await count(sql`kind = 'echo' AND status = 'completed'`)) === 2000, 60_000, 'all tasks to complete');
    const perTask = await cluster.db.query<{ started: number; completed: number; attempts: number }>(sql`
      SELECT count(*) FILTER (WHERE e.type = 'started')::int AS started,
             count(*) FILTER (WHERE e.type = 'completed')::int AS completed, max(t.attempts) AS attempts
      FROM tasks t JOIN task_events e ON e.task_id = t.id WHERE t.kind = 'echo' GROUP BY t.id`);
    expect(perTask.length).toBe(2000);
    expect(perTask.every((r) => r.started === 1 && r.completed === 1 && r.attempts === 1)).toBe(true);
    const byWorker = await cluster.db.query<{ worker: string; n: number }>(sql`
      SELECT data->>'workerId' AS worker, count(*)::int AS n FROM task_events WHERE type = 'started' GROUP BY 1`);
    expect(new Set(byWorker.map((r) => r.worker))).toEqual(new Set([one.workerId, two.workerId]));
  });

  it('an API-only process serves live events of tasks another process runs', async () => {
    const api = await start({ EXECUTOR_CONCURRENCY: '0' });
    const worker = await start({ EXECUTOR_CONCURRENCY: '2' });
    const client = createClient({ url: `${api.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    const { data } = await api.gql(`mutation { createTask(input: { kind: "sleep", input: { ms: 300 } }) { task { id } } }`);
    const id = data.createTask.task.id;
    const updates = await collect(client, `subscription($id: ID!) { taskUpdated(id: $id) { status progress } }`, { id }).finished;
    await client.dispose();
    expect(updates.at(-1).taskUpdated).toEqual({ status: 'COMPLETED', progress: 1 });
    const [started] = await cluster.db.query<{ worker: string }>(sql`
      SELECT data->>'workerId' AS worker FROM task_events WHERE task_id = ${id}::bigint AND type = 'started'`);
    expect(started.worker).toBe(worker.workerId);
  });

  it('a process killed with SIGKILL mid-task loses nothing: its tasks complete elsewhere after the lease', async () => {
    const doomed = await start({ EXECUTOR_CONCURRENCY: '4', LEASE_SECONDS: '2' });
    const { data } = await doomed.gql(CREATE_MANY, { inputs: Array.from({ length: 4 }, () => ({ kind: 'sleep', input: { ms: 1500 } })) });
    const ids: string[] = data.createTasks.tasks.map((t: { id: string }) => t.id);
    const inIds = sql`id IN ${ids.map((id) => sql`${id}::bigint`)}`;
    await waitFor(async () => (await count(sql`${inIds} AND status = 'running'`)) === 4, 10_000, 'the tasks to run');
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    expect(await count(sql`${inIds} AND status = 'running'`)).toBe(4);
    const survivor = await start({ EXECUTOR_CONCURRENCY: '4', LEASE_SECONDS: '2' });
    await waitFor(async () => (await count(sql`${inIds} AND status = 'completed'`)) === 4, 30_000, 'the tasks to complete');
    const events = await cluster.db.query<{ task_id: string; types: string[]; workers: string[] }>(sql`
      SELECT task_id::text, jsonb_agg(type ORDER BY id) AS types,
             jsonb_agg(data->>'workerId' ORDER BY id) FILTER (WHERE type = 'started') AS workers
      FROM task_events WHERE task_id IN ${ids.map((id) => sql`${id}::bigint`)} GROUP BY task_id`);
    for (const e of events) {
      // Progress events come and go with timing; the transitions are what must hold.
      expect(e.types.filter((t) => t !== 'progress')).toEqual(['created', 'started', 'requeued', 'started', 'completed']);
      expect(e.workers).toEqual([doomed.workerId, survivor.workerId]);
    }
  });

  it('SIGTERM lets short tasks finish, hands long ones back to the queue, and exits 0', async () => {
    const server = await start({ EXECUTOR_CONCURRENCY: '4', SHUTDOWN_GRACE_SECONDS: '2' });
    const { data } = await server.gql(CREATE_MANY, {
      inputs: [
        { kind: 'sleep', input: { ms: 500 } },
        { kind: 'sleep', input: { ms: 500 } },
        { kind: 'sleep', input: { ms: 60_000 } },
        { kind: 'sleep', input: { ms: 60_000 } },
      ],
    });
    const [short1, short2, long1, long2] = data.createTasks.tasks.map((t: { id: string }) => t.id);
    const byId = (ids: string[]) => sql`id IN ${ids.map((id) => sql`${id}::bigint`)}`;
    await waitFor(async () => (await count(sql`${byId([short1, short2, long1, long2])} AND status = 'running'`)) === 4, 10_000, 'all running');
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // 1001 "going away": a graphql-ws client reconnects, to this process's successor or another.
    expect(await closed).toBe(1001);
    expect(await count(sql`${byId([short1, short2])} AND status = 'completed'`)).toBe(2);
    expect(await count(sql`${byId([long1, long2])} AND status = 'pending' AND attempts = 0 AND worker_id IS NULL`)).toBe(2);
    expect(await count(sql`status = 'running'`)).toBe(0);
  });
});
