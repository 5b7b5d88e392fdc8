// Live updates as clients get them: graphql-ws and SSE, in commit order, resumable by cursor with
// no gap and no duplicate while tasks keep changing.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createSubscriptions } from '../src/tasks/subscriptions.js';
import { describePg } from './support/db.js';
import { appForFile, collect, waitFor } from './support/app.js';

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } } }`;
const EVENTS = `subscription($after: String, $taskId: ID) { taskEvents(after: $after, taskId: $taskId) { cursor type status at task { id status } } }`;

describePg('subscriptions', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '8', SUBSCRIPTION_BUFFER: '100000' });
  const create = async (input: Record<string, unknown>) => (await app.gql(CREATE, { input })).data.createTask.task.id as string;
  const latestEventId = async () => (await app.db.query<{ id: string }>(sql`SELECT coalesce(max(id), 0)::text AS id FROM task_events`))[0].id;
  const statusOf = async (id: string) => (await app.gql(`query($id: ID!) { task(id: $id) { status } }`, { id })).data.task.status;

  it('graphql-ws: one task from created to completed, in order, each with its cursor', async () => {
    const client = app.ws();
    const latest = await latestEventId();
    const id = await create({ kind: 'sleep', input: { ms: 300 } });
    const sub = collect(client, EVENTS, { after: latest, taskId: id }, (items) => items.at(-1)?.taskEvents.type === 'completed');
    const items = (await sub.finished).map((i) => i.taskEvents);
    expect(items.map((e) => e.type)).toEqual(['created', 'started', ...items.slice(2, -1).map(() => 'progress'), 'completed']);
    expect(items.filter((e) => e.type === 'progress').length).toBeGreaterThanOrEqual(1);
    expect(items.map((e) => e.status).at(-1)).toBe('COMPLETED');
    const cursors = items.map((e) => Number(e.cursor));
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(items.every((e) => e.task.id === id)).toBe(true);
    expect(sub.errors).toEqual([]);
  });

  it('taskUpdated: the current state first, then changes, then completes after a terminal state', async () => {
    const id = await create({ kind: 'sleep', input: { ms: 400 } });
    const sub = collect(app.ws(), `subscription($id: ID!) { taskUpdated(id: $id) { id status progress result } }`, { id });
    const items = (await sub.finished).map((i) => i.taskUpdated);
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.at(-1)).toMatchObject({ id, status: 'COMPLETED', progress: 1, result: { sleptMs: 400 } });
    expect(items.slice(0, -1).every((t) => t.status !== 'COMPLETED')).toBe(true);
  });

  it('taskUpdated of a finished task sends it once and completes; of a missing task, TASK_NOT_FOUND', async () => {
    const id = await create({ kind: 'echo', input: 5 });
    await waitFor(async () => (await statusOf(id)) === 'COMPLETED', 10_000, 'the task to complete');
    const done = await collect(app.ws(), `subscription($id: ID!) { taskUpdated(id: $id) { status result } }`, { id }).finished;
    expect(done.map((i) => i.taskUpdated)).toEqual([{ status: 'COMPLETED', result: 5 }]);
    const missing = collect(app.ws(), `subscription { taskUpdated(id: "99999999") { status } }`, {});
    await missing.finished;
    expect(JSON.stringify(missing.errors)).toContain('TASK_NOT_FOUND');
  });

  it('rejects a malformed cursor with INVALID_INPUT', async () => {
    const sub = collect(app.ws(), EVENTS, { after: 'yesterday' });
    await sub.finished;
    expect(JSON.stringify(sub.errors)).toContain('INVALID_INPUT');
  });

  it('a client that drops and resumes from its last cursor misses nothing and gets nothing twice', async () => {
    const start = await latestEventId();
    // Tasks keep changing the whole time: 150 echo and sleep tasks created in a stream.
    const producing = (async () => {
      for (let i = 0; i < 50; i++) {
        await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, {
          inputs: [{ kind: 'echo', input: i }, { kind: 'sleep', input: { ms: 20 } }, { kind: 'fail', input: { attempts: 1 } }],
        });
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const seen: Array<{ cursor: string; type: string; task: { id: string } }> = [];
    let cursor = start;
    // Four sessions, each cut off after a few events, each resuming from the last cursor it got.
    for (let session = 0; session < 4; session++) {
      const client = app.ws();
      const sub = collect(client, EVENTS, { after: cursor }, (items) => items.length >= 60 + session * 17);
      await sub.finished;
      await client.dispose();
      for (const item of sub.items) seen.push(item.taskEvents);
      cursor = seen.at(-1)!.cursor;
      await new Promise((r) => setTimeout(r, 50));
    }
    await producing;
    // Then one last session to the end of everything that happened: once every task has finished,
    // no event is still to come.
    await waitFor(
      async () => (await app.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks WHERE status IN ('pending', 'running')`))[0].n === 0,
      20_000,
      'every task to finish',
    );
    const client = app.ws();
    const total = (await app.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM task_events WHERE id > ${Number(start)}`))[0].n;
    const last = collect(client, EVENTS, { after: cursor }, (items) => seen.length + items.length >= total);
    await last.finished;
    for (const item of last.items) seen.push(item.taskEvents);
    const all = await app.db.query<{ id: string; type: string; task_id: string }>(
      sql`SELECT id::text, type, task_id::text FROM task_events WHERE id > ${Number(start)} ORDER BY task_events.id`,
    );
    expect(all.length).toBe(total);
    expect(total).toBeGreaterThan(150 * 2);
    expect(seen.map((e) => e.cursor)).toEqual(all.map((e) => e.id));
    expect(seen.map((e) => e.type)).toEqual(all.map((e) => e.type));
    expect(seen.map((e) => e.task.id)).toEqual(all.map((e) => e.task_id));
  });

  it('SSE: the same stream over text/event-stream, resumable by cursor', async () => {
    const id = await create({ kind: 'sleep', input: { ms: 200 } });
    const read = async (after: string) => {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: EVENTS, variables: { after, taskId: id } }),
      });
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      const events: any[] = [];
      while (!events.some((e) => e.type === 'completed')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
        const blocks = text.split('\n\n');
        text = blocks.pop()!;
        for (const block of blocks) {
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data && block.includes('event: next')) events.push(JSON.parse(data.slice(6)).data.taskEvents);
        }
      }
      await reader.cancel();
      return events;
    };
    const all = await read('0');
    expect(all[0].type).toBe('created');
    expect(all.at(-1).type).toBe('completed');
    const resumed = await read(all[1].cursor);
    expect(resumed.map((e) => e.cursor)).toEqual(all.slice(2).map((e) => e.cursor));
  });

  it('ends a subscriber that falls too far behind with SUBSCRIBER_TOO_SLOW', async () => {
    // The pump of the running app, behind a subscription with a tiny buffer that nobody reads.
    const subs = createSubscriptions({ pump: app.pump, store: app.store, bufferLimit: 3 });
    const stream = subs.events({});
    const first = stream.next();
    first.catch(() => {});
    await waitFor(async () => subs.active() === 1, 5000, 'the stream to open');
    const { data } = await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, {
      inputs: Array.from({ length: 10 }, () => ({ kind: 'echo' })),
    });
    // Every event of those tasks has reached the stream's buffer once the pump has read them all.
    const ids: string[] = data.createTasks.tasks.map((t: { id: string }) => t.id);
    for (const id of ids) await waitFor(async () => (await statusOf(id)) === 'COMPLETED', 10_000, `task ${id} to complete`);
    const last = Number(await latestEventId());
    await waitFor(async () => app.pump.lastSeen() >= last, 10_000, 'the pump to read every event');
    let error: any;
    try {
      await first;
      for (let i = 0; i < 100; i++) await stream.next();
    } catch (e) {
      error = e;
    }
    expect(error?.code).toBe('SUBSCRIBER_TOO_SLOW');
  });
});
