// The GraphQL contract over HTTP: shapes, paging, and every client mistake answered with its code
// while nothing is written.
import { expect, it } from 'vitest';
import { describePg } from './support/db.js';
import { appForFile } from './support/app.js';

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id kind status priority maxAttempts timeoutSeconds input runAt idempotencyKey } } }`;

describePg('GraphQL API', () => {
  // An API-only server: tasks stay PENDING, so what the tests read is what they wrote.
  const app = appForFile({ EXECUTOR_CONCURRENCY: '0' });

  const count = async () => (await app.gql(`{ taskStats { total } }`)).data.taskStats.total as number;

  it('creates a task with defaults and reads it back', async () => {
    const { data } = await app.gql(CREATE, { input: { kind: 'echo', input: { hello: ['world', 1, null] } } });
    const task = data.createTask.task;
    expect(task).toMatchObject({ kind: 'echo', status: 'PENDING', priority: 0, maxAttempts: 3, timeoutSeconds: 1800 });
    expect(task.input).toEqual({ hello: ['world', 1, null] });
    const read = await app.gql(`query($id: ID!) { task(id: $id) { id input status createdAt startedAt } }`, { id: task.id });
    expect(read.data.task).toMatchObject({ id: task.id, input: { hello: ['world', 1, null] }, status: 'PENDING', startedAt: null });
    expect(new Date(read.data.task.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const missing = await app.gql(`{ task(id: "999999") { id } }`);
    expect(missing).toEqual({ data: { task: null } });
  });

  it('accepts every option and a JSON literal input', async () => {
    const runAt = new Date(Date.now() + 3_600_000).toISOString();
    const { data } = await app.gql(
      `mutation { createTask(input: { kind: "sleep", input: { ms: 5, nested: [true, "x"] }, priority: -1000,
        runAt: "${runAt}", maxAttempts: 7, timeoutSeconds: 9 }) { task { input priority runAt maxAttempts timeoutSeconds } } }`,
    );
    expect(data.createTask.task).toEqual({
      input: { ms: 5, nested: [true, 'x'] },
      priority: -1000,
      runAt,
      maxAttempts: 7,
      timeoutSeconds: 9,
    });
  });

  it('returns the existing task for a repeated idempotency key', async () => {
    const input = { kind: 'echo', input: { n: 1 }, idempotencyKey: 'order-42' };
    const first = await app.gql(CREATE, { input });
    const second = await app.gql(CREATE, { input: { ...input, input: { n: 2 } } });
    expect(second.data.createTask.task.id).toBe(first.data.createTask.task.id);
    expect(second.data.createTask.task.input).toEqual({ n: 1 });
    const list = await app.gql(`{ tasks(first: 100) { nodes { idempotencyKey } } }`);
    expect(list.data.tasks.nodes.filter((t: any) => t.idempotencyKey === 'order-42')).toHaveLength(1);
  });

  it('creates many concurrently with one key: exactly one task', async () => {
    const input = { kind: 'echo', idempotencyKey: 'race-key' };
    const results = await Promise.all(Array.from({ length: 20 }, () => app.gql(CREATE, { input })));
    const ids = new Set(results.map((r) => r.data.createTask.task.id));
    expect(ids.size).toBe(1);
  });

  it('creates tasks in bulk, in order, all or none', async () => {
    const before = await count();
    const { data } = await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id kind input } } }`, {
      inputs: [{ kind: 'echo', input: 1 }, { kind: 'echo', input: 2 }, { kind: 'sleep', input: { ms: 1 } }],
    });
    expect(data.createTasks.tasks.map((t: any) => t.input)).toEqual([1, 2, { ms: 1 }]);
    const bad = await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, {
      inputs: [{ kind: 'echo' }, { kind: 'nope' }],
    });
    expect(bad.errors[0].extensions.code).toBe('UNKNOWN_TASK_KIND');
    expect(await count()).toBe(before + 3);
  });

  it('pages newest first with cursors and a total count', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { data } = await app.gql(CREATE, { input: { kind: 'fail', input: { attempts: i } } });
      created.push(data.createTask.task.id);
    }
    const newest = [...created].reverse();
    const q = `query($first: Int, $after: String, $last: Int, $before: String) {
      tasks(first: $first, after: $after, last: $last, before: $before, kind: ["fail"], status: [PENDING]) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } }`;
    const page1 = (await app.gql(q, { first: 3 })).data.tasks;
    expect(page1.totalCount).toBe(7);
    expect(page1.edges.map((e: any) => e.node.id)).toEqual(newest.slice(0, 3));
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await app.gql(q, { first: 3, after: page1.pageInfo.endCursor })).data.tasks;
    expect(page2.edges.map((e: any) => e.node.id)).toEqual(newest.slice(3, 6));
    const page3 = (await app.gql(q, { first: 3, after: page2.pageInfo.endCursor })).data.tasks;
    expect(page3.edges.map((e: any) => e.node.id)).toEqual(newest.slice(6));
    expect(page3.pageInfo.hasNextPage).toBe(false);
    const back = (await app.gql(q, { last: 2, before: page2.pageInfo.startCursor })).data.tasks;
    expect(back.edges.map((e: any) => e.node.id)).toEqual(newest.slice(1, 3));
    expect(back.pageInfo.hasPreviousPage).toBe(true);
  });

  it('lists kinds and counts by status', async () => {
    const { data } = await app.gql(`{ taskKinds taskStats { pending running completed failed cancelled timedOut total } }`);
    expect(data.taskKinds).toEqual(['echo', 'fail', 'sleep']);
    expect(data.taskStats.total).toBe(data.taskStats.pending + data.taskStats.cancelled);
  });

  it('cancels a pending task once, then says TASK_FINISHED', async () => {
    const { data } = await app.gql(CREATE, { input: { kind: 'echo' } });
    const id = data.createTask.task.id;
    const cancel = `mutation($id: ID!) { cancelTask(id: $id) { task { id status finishedAt } } }`;
    const first = await app.gql(cancel, { id });
    expect(first.data.cancelTask.task.status).toBe('CANCELLED');
    expect(first.data.cancelTask.task.finishedAt).not.toBeNull();
    const again = await app.gql(cancel, { id });
    expect(again.errors[0].extensions.code).toBe('TASK_FINISHED');
    const retried = await app.gql(`mutation($id: ID!) { retryTask(id: $id) { task { status attempts finishedAt } } }`, { id });
    expect(retried.data.retryTask.task).toEqual({ status: 'PENDING', attempts: 0, finishedAt: null });
    const notRetryable = await app.gql(`mutation($id: ID!) { retryTask(id: $id) { task { id } } }`, { id });
    expect(notRetryable.errors[0].extensions.code).toBe('TASK_NOT_RETRYABLE');
  });

  const mistakes: Array<[string, string, Record<string, unknown> | undefined, string]> = [
    ['unknown kind', CREATE, { input: { kind: 'no-such-kind' } }, 'UNKNOWN_TASK_KIND'],
    ['priority too high', CREATE, { input: { kind: 'echo', priority: 1001 } }, 'INVALID_INPUT'],
    ['priority too low', CREATE, { input: { kind: 'echo', priority: -1001 } }, 'INVALID_INPUT'],
    ['priority not an int', CREATE, { input: { kind: 'echo', priority: 'high' } }, 'INVALID_INPUT'],
    ['maxAttempts 0', CREATE, { input: { kind: 'echo', maxAttempts: 0 } }, 'INVALID_INPUT'],
    ['timeoutSeconds 0', CREATE, { input: { kind: 'echo', timeoutSeconds: 0 } }, 'INVALID_INPUT'],
    ['negative timeout', CREATE, { input: { kind: 'echo', timeoutSeconds: -5 } }, 'INVALID_INPUT'],
    ['bad runAt', CREATE, { input: { kind: 'echo', runAt: 'tomorrow' } }, 'INVALID_INPUT'],
    ['input the kind refuses', CREATE, { input: { kind: 'sleep', input: { ms: 'long' } } }, 'INVALID_INPUT'],
    ['oversized input', CREATE, { input: { kind: 'echo', input: 'x'.repeat(1_100_000) } }, 'INVALID_INPUT'],
    ['NUL in input', CREATE, { input: { kind: 'echo', input: 'a\u0000b' } }, 'INVALID_INPUT'],
    ['empty idempotency key', CREATE, { input: { kind: 'echo', idempotencyKey: '' } }, 'INVALID_INPUT'],
    ['kind missing', CREATE, { input: {} }, 'INVALID_INPUT'],
    ['bad id', `{ task(id: "abc") { id } }`, undefined, 'INVALID_INPUT'],
    ['negative id', `{ task(id: "-1") { id } }`, undefined, 'INVALID_INPUT'],
    ['id beyond bigint', `{ task(id: "99999999999999999999") { id } }`, undefined, 'INVALID_INPUT'],
    ['cancel bad id', `mutation { cancelTask(id: "x1") { task { id } } }`, undefined, 'INVALID_INPUT'],
    ['cancel missing', `mutation { cancelTask(id: "987654") { task { id } } }`, undefined, 'TASK_NOT_FOUND'],
    ['retry missing', `mutation { retryTask(id: "987654") { task { id } } }`, undefined, 'TASK_NOT_FOUND'],
    ['bad page size', `{ tasks(first: -1) { totalCount } }`, undefined, 'INVALID_INPUT'],
    ['bad page cursor', `{ tasks(first: 2, after: "zzz") { totalCount } }`, undefined, 'INVALID_INPUT'],
    ['unknown field', `{ tsk }`, undefined, 'GRAPHQL_VALIDATION_FAILED'],
  ];

  it.each(mistakes)('%s: answers with its code and writes nothing', async (_name, query, variables, code) => {
    const before = await app.gql(`{ taskStats { total pending cancelled } }`);
    const result = await app.gql(query, variables);
    expect(result.errors?.[0]?.extensions?.code).toBe(code);
    expect(result.errors[0].message).not.toMatch(/Unexpected error/);
    expect(await app.gql(`{ taskStats { total pending cancelled } }`)).toEqual(before);
  });

  it('answers a body that is not JSON with 400, not 500', async () => {
    const response = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' });
    expect(response.status).toBe(400);
  });

  it('serves the playground to a browser, with no external scripts', async () => {
    const page = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="root"></div>');
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
    expect(html).not.toMatch(/<link[^>]+href="https?:/);
  });

  it('serves /health and /ready', async () => {
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    const ready = await fetch(`${app.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect(ready.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const traced = await fetch(`${app.url}/health`, { headers: { 'x-request-id': 'trace-123' } });
    expect(traced.headers.get('x-request-id')).toBe('trace-123');
  });
});
