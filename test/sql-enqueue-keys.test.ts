// create_task(kind, input, options) and task keys (drizzle/0010): an idempotency or unique key
// gives the task that holds it, as createTask does, from another transaction or from the same one;
// a key taken by another task between the call and the commit fails the commit.
import type postgres from 'postgres';
import { expect, it } from 'vitest';
import { describePg } from './support/db.js';
import { appForFile, waitFor } from './support/app.js';
import { createGate } from './support/gate.js';
import { sqlEnqueueHelpers } from './support/sql-enqueue.js';

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { deduplicated task { id status waitingFor } } }`;

const gate = createGate();

describePg('create_task: keys', () => {
  // A poll a minute apart: whatever runs within a test was woken by a notification.
  const app = appForFile({ EXECUTOR_CONCURRENCY: '4', POLL_INTERVAL_MS: '60000' }, { gated: gate.kind });
  const { client: db, ok, task, statusOf, completed, rows, totals, eventsOf, intents, open } = sqlEnqueueHelpers(app);

  it('an idempotency key gives the task that holds it, from SQL and from createTask alike', async () => {
    const key = { idempotencyKey: 'invoice-1001' };
    const [{ id }] = await db()<{ id: string }[]>`SELECT create_task('echo', '1', ${db().json(key)}) AS id`;
    const [{ id: again }] = await db()<{ id: string }[]>`SELECT create_task('echo', '2', ${db().json(key)}) AS id`;
    expect(again).toBe(id);
    const { createTask } = await ok(CREATE, { input: { kind: 'echo', input: 3, ...key } });
    expect(createTask).toMatchObject({ deduplicated: true, task: { id } });
    await completed(id);
    // Finished, the key still holds: for good.
    const [{ id: after }] = await db()<{ id: string }[]>`SELECT create_task('echo', '4', ${db().json(key)}) AS id`;
    expect(after).toBe(id);
    expect((await eventsOf(id)).map((e) => e.type)).toEqual(['created', 'started', 'completed']);
    expect((await task(id)).input).toBe(1);
  });

  it('a unique key while active gives the running task, and is free once it ended', async () => {
    gate.close();
    const key = { uniqueKey: 'sync-account-7' };
    const [{ id }] = await db()<{ id: string }[]>`SELECT create_task('gated', 'null', ${db().json(key)}) AS id`;
    await waitFor(async () => (await statusOf(id)) === 'RUNNING', 10_000, 'the task to start');
    const [{ id: again }] = await db()<{ id: string }[]>`SELECT create_task('gated', 'null', ${db().json(key)}) AS id`;
    expect(again).toBe(id);
    const { createTask } = await ok(CREATE, { input: { kind: 'gated', ...key } });
    expect(createTask).toMatchObject({ deduplicated: true, task: { id } });
    gate.open();
    await completed(id);
    const [{ id: next }] = await db()<{ id: string }[]>`SELECT create_task('echo', 'null', ${db().json(key)}) AS id`;
    expect(next).not.toBe(id);
    await completed(next);
  });

  it('a unique key for seconds holds after its task ended, for createTask too', async () => {
    const key = { uniqueKey: 'digest-daily', uniqueWhile: 'FOR_SECONDS', uniqueSeconds: 300 };
    const [{ id }] = await db()<{ id: string }[]>`SELECT create_task('echo', 'null', ${db().json(key)}) AS id`;
    await completed(id);
    const [{ id: again }] = await db()<{ id: string }[]>`SELECT create_task('echo', 'null', ${db().json(key)}) AS id`;
    expect(again).toBe(id);
    const { createTask } = await ok(CREATE, { input: { kind: 'echo', ...key } });
    expect(createTask).toMatchObject({ deduplicated: true, task: { id } });
    const read = await task(id);
    expect(new Date(read.uniqueUntil).getTime() - Date.now()).toBeGreaterThan(250_000);
    // The window names its task; a create whose idempotency key is taken does not take a window.
    expect(await db()`SELECT task_id::text FROM task_unique_windows WHERE unique_key = 'digest-daily'`).toEqual([{ task_id: id }]);
    const [{ id: keyed }] = await db()<{ id: string }[]>`
      SELECT create_task('echo', 'null', ${db().json({ idempotencyKey: 'invoice-1001', uniqueKey: 'other-window', uniqueWhile: 'FOR_SECONDS', uniqueSeconds: 60 })}) AS id`;
    expect(await db()`SELECT idempotency_key FROM tasks WHERE id = ${keyed}`).toEqual([{ idempotency_key: 'invoice-1001' }]);
    expect(await db()`SELECT * FROM task_unique_windows WHERE unique_key = 'other-window'`).toEqual([]);
  });

  it('a key taken between the call and the commit fails the commit with unique_violation naming it, and nothing of it is written', async () => {
    await db()`CREATE TABLE app_orders (id int PRIMARY KEY)`;
    const before = await totals();
    const refusedCommit = async (options: Record<string, unknown>, viaGraphql: Record<string, unknown>) => {
      const a = await open();
      try {
        await a.sql`INSERT INTO app_orders VALUES (1)`;
        const plain = await a.stage('plain');
        const keyed = await a.stage('keyed', options as postgres.JSONValue);
        expect(Number(keyed)).toBeGreaterThan(Number(plain));
        // The key is free at the call; a create over GraphQL takes it before the commit.
        const { createTask } = await ok(CREATE, { input: { kind: 'echo', ...viaGraphql } });
        expect(createTask.deduplicated).toBe(false);
        const error = await a.sql`COMMIT`.then(() => undefined, (e: postgres.PostgresError) => e);
        expect(error, 'the commit went through').toBeDefined();
        expect(error!.code).toBe('23505');
        expect(await rows(plain)).toEqual({ tasks: 0, events: 0 });
        expect(await rows(keyed)).toEqual({ tasks: 0, events: 0 });
        await completed(createTask.task.id);
        return { message: error!.message, keyed, holder: createTask.task.id as string };
      } finally {
        await a.sql.end();
      }
    };
    const byIdempotency = await refusedCommit({ idempotencyKey: 'race-invoice' }, { idempotencyKey: 'race-invoice' });
    expect(byIdempotency.message).toBe(
      `create_task: idempotencyKey "race-invoice" was taken by task ${byIdempotency.holder} before the commit of task ${byIdempotency.keyed}; the transaction is rolled back`,
    );
    const window = { uniqueKey: 'race-window', uniqueWhile: 'FOR_SECONDS', uniqueSeconds: 300 };
    const byWindow = await refusedCommit(window, window);
    expect(byWindow.message).toContain(`uniqueKey "race-window" was taken by task ${byWindow.holder} before the commit of task ${byWindow.keyed}`);
    // The window still names the task that took it; the application's own row went with its transaction.
    expect(await db()`SELECT task_id::text FROM task_unique_windows WHERE unique_key = 'race-window'`).toEqual([{ task_id: byWindow.holder }]);
    expect(await db()`SELECT count(*)::int AS n FROM app_orders`).toEqual([{ n: 0 }]);
    expect(await intents()).toBe(0);
    // Only the two tasks created over GraphQL, with their three events each.
    expect(await totals()).toEqual({ ...before, tasks: before.tasks + 2, events: before.events + 6 });
    // Run again, the transaction gets the task that holds the key.
    const [{ id: retried }] = await db()<{ id: string }[]>`SELECT create_task('echo', 'null', ${db().json({ idempotencyKey: 'race-invoice' })}) AS id`;
    expect(retried).toBe(byIdempotency.holder);
  });

  it('a key repeated in one transaction gives the task staged first; a savepoint rolled back takes its task with it', async () => {
    const a = await open();
    try {
      const keyed = await a.stage(1, { idempotencyKey: 'same-transaction' });
      expect(await a.stage(2, { idempotencyKey: 'same-transaction' })).toBe(keyed);
      const unique = await a.stage(3, { uniqueKey: 'same-transaction-unique' });
      expect(await a.stage(4, { uniqueKey: 'same-transaction-unique' })).toBe(unique);
      await a.sql`SAVEPOINT undone`;
      const undone = await a.stage(5);
      await a.sql`ROLLBACK TO SAVEPOINT undone`;
      await a.sql`COMMIT`;
      await completed(keyed);
      await completed(unique);
      expect((await task(keyed)).input).toBe(1);
      expect((await task(unique)).input).toBe(3);
      expect(await rows(undone)).toEqual({ tasks: 0, events: 0 });
      expect(await intents()).toBe(0);
    } finally {
      await a.sql.end();
    }
  });

  it('several keyed tasks in one commit: written with their windows; a key taken before it fails it naming the first in call order', async () => {
    const window = (key: string) => ({ uniqueKey: key, uniqueWhile: 'FOR_SECONDS', uniqueSeconds: 300 });
    const a = await open();
    try {
      const ids = [
        await a.stage('w1', window('batch-window-1')),
        await a.stage('i1', { idempotencyKey: 'batch-invoice-1' }),
        await a.stage('w2', window('batch-window-2')),
        await a.stage('u1', { uniqueKey: 'batch-active-1' }),
      ];
      await a.sql`COMMIT`;
      for (const id of ids) await completed(id);
      expect(await db()`SELECT unique_key, task_id::text FROM task_unique_windows WHERE unique_key LIKE 'batch-window-%' ORDER BY unique_key`)
        .toEqual([{ unique_key: 'batch-window-1', task_id: ids[0] }, { unique_key: 'batch-window-2', task_id: ids[2] }]);
      expect(await db()`SELECT idempotency_key FROM tasks WHERE id = ${ids[1]}`).toEqual([{ idempotency_key: 'batch-invoice-1' }]);
    } finally {
      await a.sql.end();
    }

    const before = await totals();
    const b = await open();
    try {
      const staged = [
        await b.stage('plain'),
        await b.stage('i2', { idempotencyKey: 'batch-invoice-2' }),
        await b.stage('w3', window('batch-window-3')),
        await b.stage('i3', { idempotencyKey: 'batch-invoice-3' }),
      ];
      // Taken over GraphQL in the opposite order: the commit names the one called first.
      const { createTask: third } = await ok(CREATE, { input: { kind: 'echo', idempotencyKey: 'batch-invoice-3' } });
      const { createTask: window3 } = await ok(CREATE, { input: { kind: 'echo', ...window('batch-window-3') } });
      const error = await b.sql`COMMIT`.then(() => undefined, (e: postgres.PostgresError) => e);
      expect(error, 'the commit went through').toBeDefined();
      expect(error!.code).toBe('23505');
      expect(error!.message).toBe(
        `create_task: uniqueKey "batch-window-3" was taken by task ${window3.task.id} before the commit of task ${staged[2]}; the transaction is rolled back`,
      );
      for (const id of staged) expect(await rows(id)).toEqual({ tasks: 0, events: 0 });
      expect(await db()`SELECT task_id::text FROM task_unique_windows WHERE unique_key = 'batch-window-3'`).toEqual([{ task_id: window3.task.id }]);
      await completed(third.task.id);
      await completed(window3.task.id);
      expect(await intents()).toBe(0);
      expect(await totals()).toEqual({ ...before, tasks: before.tasks + 2, events: before.events + 6 });
    } finally {
      await b.sql.end();
    }
  });
});
