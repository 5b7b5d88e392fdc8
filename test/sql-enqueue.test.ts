// create_task(kind, input, options) called by an application in its own transaction (drizzle/0010):
// rolled back, nothing of the task exists and no subscriber hears of it; committed, it is a task
// like one created over GraphQL: its `created` event in commit order, run at once or when due.
// The call only stages the task; it is written at the commit, so an open transaction that has
// called it holds up no other create, claim or completion.
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import { expect, it } from 'vitest';
import { describePg } from './support/db.js';
import { advisoryWaiters, appForFile, collect, connectionTo, waitFor } from './support/app.js';
import { createGate } from './support/gate.js';
import { sqlEnqueueHelpers } from './support/sql-enqueue.js';

const EVENTS = `subscription { taskEvents { cursor type status taskId data } }`;
const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { deduplicated task { id status waitingFor } } }`;

interface Event {
  cursor: string;
  type: string;
  status: string;
  taskId: string;
  data: Record<string, unknown> | null;
}

const gate = createGate();

describePg('create_task: enqueue from SQL in the caller’s transaction', () => {
  // A poll a minute apart: whatever runs within a test was woken by a notification.
  const app = appForFile({ EXECUTOR_CONCURRENCY: '4', POLL_INTERVAL_MS: '60000' }, { gated: gate.kind });
  const { client: db, ok, task, statusOf, completed, rows, totals, eventsOf, intents, open } = sqlEnqueueHelpers(app);
  /** A live taskEvents stream, open on the server, collecting until `done`. */
  const follow = async (done: (events: Event[]) => boolean) => {
    const sub = collect<{ taskEvents: Event }>(app.ws(), EVENTS, {}, (items) => done(items.map((i) => i.taskEvents)));
    await sub.ready;
    return { finished: sub.finished.then((items) => items.map((i) => i.taskEvents)), errors: sub.errors };
  };
  /** What a transaction sees of a task of its own: the row, its events, its intent. */
  const inside = async (tx: postgres.Sql | postgres.TransactionSql, id: string) =>
    (await tx<{ tasks: number; events: number; intents: number }[]>`
      SELECT (SELECT count(*)::int FROM tasks WHERE id = ${id}) AS tasks,
        (SELECT count(*)::int FROM task_events WHERE task_id = ${id}) AS events,
        (SELECT count(*)::int FROM task_intents WHERE id = ${id}) AS intents`)[0];
  /** The promise, or a failure once ms have passed: a wait that would hang fails the test instead. */
  const within = async <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms)));
    try {
      return await Promise.race([promise, late]);
    } finally {
      clearTimeout(timer);
    }
  };

  it('rolled back: no task, no event, and a subscriber that was listening hears nothing of it', async () => {
    const before = await totals();
    let later = '';
    const stream = await follow((events) => events.some((e) => e.taskId === later && e.type === 'completed'));
    let rolledBack = '';
    const rollback = new Error('roll back');
    await expect(
      db().begin(async (tx) => {
        const [row] = await tx<{ id: string }[]>`SELECT create_task('echo', ${tx.json({ n: 1 })}) AS id`;
        rolledBack = row.id;
        // Before the commit the task is only staged: not a task yet, even to its own transaction.
        expect(await inside(tx, rolledBack)).toEqual({ tasks: 0, events: 0, intents: 1 });
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(rolledBack).toMatch(/^[1-9][0-9]*$/);

    const [row] = await db()<{ id: string }[]>`SELECT create_task('echo', ${db().json({ n: 2 })}) AS id`;
    later = row.id;
    const events = await stream.finished;
    expect(stream.errors).toEqual([]);
    // The first event the stream got is the later task's: nothing came of the rolled-back one.
    expect(events.map((e) => `${e.taskId}:${e.type}`)).toEqual([`${later}:created`, `${later}:started`, `${later}:completed`]);
    expect(await rows(rolledBack)).toEqual({ tasks: 0, events: 0 });
    expect(await intents()).toBe(0);
    expect(await totals()).toEqual({ ...before, tasks: before.tasks + 1, events: before.events + 3 });
  });

  it('committed: the subscriber sees it created and completed, and task(id) shows the options given', async () => {
    let id = '';
    const stream = await follow((events) => events.some((e) => e.taskId === id && e.type === 'completed'));
    const options = { queue: 'from-sql', priority: 7, maxAttempts: 5, timeoutSeconds: 90, runAt: '2020-01-02T03:04:05.678Z', concurrencyKey: 'order-42' };
    await db().begin(async (tx) => {
      const [row] = await tx<{ id: string }[]>`SELECT create_task('echo', ${tx.json({ hello: 'sql' })}, ${tx.json(options)}) AS id`;
      id = row.id;
    });
    const events = (await stream.finished).filter((e) => e.taskId === id);
    expect(events.map((e) => `${e.type}:${e.status}`)).toEqual(['created:PENDING', 'started:RUNNING', 'completed:COMPLETED']);
    expect(events[0].data).toBeNull();
    expect(await task(id)).toEqual({
      id,
      kind: 'echo',
      input: { hello: 'sql' },
      status: 'COMPLETED',
      queue: 'from-sql',
      priority: 7,
      maxAttempts: 5,
      timeoutSeconds: 90,
      runAt: '2020-01-02T03:04:05.678Z',
      concurrencyKey: 'order-42',
      idempotencyKey: null,
      uniqueKey: null,
      uniqueUntil: null,
      waitingFor: null,
      result: { hello: 'sql' },
      attempts: 1,
    });
    // Its queue has its row, as a queue first named by createTask does.
    expect((await ok(`query { queue(name: "from-sql") { name paused } }`, {})).queue).toEqual({ name: 'from-sql', paused: false });
  });

  it('defaults as createTask: the same row but for its id and times', async () => {
    const [{ id }] = await db()<{ id: string }[]>`SELECT create_task('echo') AS id`;
    const { createTask } = await ok(CREATE, { input: { kind: 'echo' } });
    await completed(id);
    await completed(createTask.task.id);
    const row = (taskId: string) => db()`
      SELECT kind, input, queue, priority, max_attempts, timeout_seconds, idempotency_key, concurrency_key, unique_key,
        unique_until, waiting_for, status::text, attempts, result, error, depends_on, flow_id
      FROM tasks WHERE id = ${taskId}`;
    const [fromSql] = await row(id);
    expect(fromSql).toMatchObject({ kind: 'echo', input: null, queue: 'default', priority: 0, max_attempts: 3, timeout_seconds: 1800 });
    expect(fromSql).toEqual((await row(createTask.task.id))[0]);
    expect((await eventsOf(id)).map((e) => e.type)).toEqual((await eventsOf(createTask.task.id)).map((e) => e.type));
  });

  it('from drizzle-orm: db.transaction(tx => tx.execute(sql`SELECT create_task(...)`)), committed and rolled back', async () => {
    // A connection of its own: drizzle takes over the JSON and date serializers of the db() it is given.
    const connection = await connectionTo(app);
    const db = drizzle(connection);
    const input = { from: 'drizzle' };
    let created = '';
    let undone = '';
    try {
      created = await db.transaction(async (tx) => {
        const result = await tx.execute<{ id: string }>(sql`SELECT create_task('echo', ${JSON.stringify(input)}::jsonb, ${JSON.stringify({ priority: 3 })}::jsonb) AS id`);
        return result[0].id;
      });
      await expect(
        db.transaction(async (tx) => {
          const result = await tx.execute<{ id: string }>(sql`SELECT create_task('echo') AS id`);
          undone = result[0].id;
          tx.rollback();
        }),
      ).rejects.toThrow('Rollback');
    } finally {
      await connection.end();
    }
    await completed(created);
    expect(await task(created)).toMatchObject({ id: created, priority: 3, input, result: input });
    expect(undone).not.toBe('');
    expect(await rows(undone)).toEqual({ tasks: 0, events: 0 });
  });

  it('a later runAt: woken when due, not at the next poll', async () => {
    const runAt = new Date(Date.now() + 1000);
    const [{ id }] = await db()<{ id: string }[]>`SELECT create_task('echo', '"later"', ${db().json({ runAt: runAt.toISOString() })}) AS id`;
    expect(await statusOf(id)).toBe('PENDING');
    // Well within the minute until the next poll.
    await completed(id);
    const events = await eventsOf(id);
    expect(events.map((e) => e.type)).toEqual(['created', 'started', 'completed']);
    expect(events[1].at.getTime()).toBeGreaterThanOrEqual(runAt.getTime());
    expect((await task(id)).runAt).toBe(runAt.toISOString());
  });

  it('refuses a bad kind or option with invalid_parameter_value naming it, and writes nothing', async () => {
    const before = await totals();
    const refused = async (kind: string | null, options: unknown, named: string) => {
      const error = await db()`SELECT create_task(${kind}, 'null', ${db().json(options as postgres.JSONValue)})`.then(() => undefined, (e: postgres.PostgresError) => e);
      expect(error, `${JSON.stringify(options)} was accepted`).toBeDefined();
      expect(error!.code).toBe('22023');
      expect(error!.message).toContain(named);
      return error!.message;
    };
    expect(await refused('echo', { priority: 1, prio: 2 }, '"prio"')).toContain('the options are queue, priority');
    expect(await refused('echo', { queue: 'new-queue', priority: 1001 }, 'priority')).toContain('an integer from -1000 to 1000, got 1001');
    expect(await refused('echo', { priority: 1.5 }, 'priority')).toContain('got 1.5');
    expect(await refused('echo', { maxAttempts: '3' }, 'maxAttempts')).toContain('an integer from 1 to 1000, got "3"');
    expect(await refused('echo', { timeoutSeconds: 0 }, 'timeoutSeconds')).toContain('from 1 to 604800');
    expect(await refused('echo', { runAt: 'tomorrow' }, 'runAt')).toContain('RFC 3339');
    expect(await refused('echo', { runAt: '2030-01-01T12:00:00' }, 'runAt')).toContain('with a time zone');
    expect(await refused('echo', { runAt: '2030-02-30T12:00:00Z' }, 'runAt')).toContain('a valid time');
    expect(await refused('echo', { runAt: '2030-13-01T12:00:00Z' }, 'runAt')).toContain('RFC 3339');
    expect(await refused('echo', { runAt: '2030-01-01T24:00:00Z' }, 'runAt')).toContain('RFC 3339');
    expect(await refused('echo', { runAt: '2030-02-30T00:00:00Z' }, 'runAt')).toContain('a valid time');
    expect(await refused('echo', { runAt: 1893456000000 }, 'runAt')).toContain('got 1893456000000');
    expect(await refused('echo', { queue: 'a queue' }, 'queue')).toContain('1 to 64 letters');
    expect(await refused('echo', { concurrencyKey: '' }, 'concurrencyKey')).toContain('1 to 512 characters');
    expect(await refused('echo', { idempotencyKey: 'x'.repeat(513) }, 'idempotencyKey')).toContain('1 to 512 characters');
    expect(await refused('echo', { uniqueKey: 7 }, 'uniqueKey')).toContain('a string');
    expect(await refused('echo', { uniqueSeconds: 5 }, 'uniqueSeconds')).toContain('need a uniqueKey');
    expect(await refused('echo', { uniqueKey: 'k', uniqueSeconds: 5 }, 'uniqueSeconds')).toContain('goes with uniqueWhile "FOR_SECONDS"');
    expect(await refused('echo', { uniqueKey: 'k', uniqueWhile: 'FOR_SECONDS' }, 'uniqueWhile')).toContain('needs uniqueSeconds');
    expect(await refused('echo', { uniqueKey: 'k', uniqueWhile: 'ALWAYS' }, 'uniqueWhile')).toContain('"ACTIVE" or "FOR_SECONDS"');
    expect(await refused('echo', [], 'options')).toContain('a JSON object');
    expect(await refused('not a kind', {}, 'kind')).toContain('1 to 100 characters');
    expect(await refused('k'.repeat(101), {}, 'kind')).toContain('1 to 100 characters');
    expect(await refused(null, {}, 'kind')).toContain('got NULL');
    expect(await totals()).toEqual(before);
    // An unknown kind is the servers' business: the task is created and waits for a process that runs it.
    const [{ id }] = await db()<{ id: string }[]>`SELECT create_task('only.elsewhere/kind-1') AS id`;
    expect(await task(id)).toMatchObject({ kind: 'only.elsewhere/kind-1', status: 'PENDING' });
  });

  it('two tasks in one transaction: their created events adjacent and in order, both run', async () => {
    const [first, second] = await db().begin(async (tx) => {
      const [a] = await tx<{ id: string }[]>`SELECT create_task('echo', '1') AS id`;
      const [b] = await tx<{ id: string }[]>`SELECT create_task('echo', '2') AS id`;
      return [a.id, b.id];
    });
    await completed(first);
    await completed(second);
    const [a, b] = [(await eventsOf(first))[0], (await eventsOf(second))[0]];
    expect([a.type, b.type]).toEqual(['created', 'created']);
    expect(Number(b.id)).toBe(Number(a.id) + 1);
  });

  it('held from its creation as createTask holds it: a paused queue, then run once resumed', async () => {
    await ok(`mutation { pauseQueue(name: "held-sql") { paused } }`, {});
    const [{ id }] = await db()<{ id: string }[]>`SELECT create_task('echo', 'null', ${db().json({ queue: 'held-sql' })}) AS id`;
    const { createTask } = await ok(CREATE, { input: { kind: 'echo', queue: 'held-sql' } });
    expect(createTask.task).toMatchObject({ status: 'PENDING', waitingFor: 'QUEUE_PAUSED' });
    expect(await task(id)).toMatchObject({ status: 'PENDING', waitingFor: 'QUEUE_PAUSED' });
    const [created] = await eventsOf(id);
    expect(created).toMatchObject({ type: 'created', status: 'pending', data: { waitingFor: 'QUEUE_PAUSED' } });
    expect(created.data).toEqual((await eventsOf(createTask.task.id))[0].data);
    await ok(`mutation { resumeQueue(name: "held-sql") { paused } }`, {});
    await completed(id);
    await completed(createTask.task.id);
  });

  it('holds nothing of the queue before the commit: over GraphQL a task is created and run while the caller’s transaction is open', async () => {
    const a = await open();
    try {
      const staged = await a.stage('staged');
      // A create, a claim and a completion, each of which takes the event lock and the counters.
      const { createTask } = await within(ok(CREATE, { input: { kind: 'echo', input: 'meanwhile' } }), 10_000, 'createTask beside the open transaction');
      await completed(createTask.task.id);
      expect(await rows(staged)).toEqual({ tasks: 0, events: 0 });
      await a.sql`COMMIT`;
      await completed(staged);
      const [created] = await eventsOf(staged);
      const meanwhile = await eventsOf(createTask.task.id);
      expect(meanwhile.map((e) => e.type)).toEqual(['created', 'started', 'completed']);
      // Created at its commit, so after every event of the task that ran meanwhile.
      expect(created.type).toBe('created');
      expect(Number(created.id)).toBeGreaterThan(Number(meanwhile[2].id));
      expect(await intents()).toBe(0);
    } finally {
      await a.sql.end();
    }
  });

  it('created events in commit order: two transactions committed in the opposite order of their calls', async () => {
    const a = await open();
    const b = await open();
    try {
      const first = await a.stage('first');
      const second = await b.stage('second');
      expect(Number(second)).toBeGreaterThan(Number(first));
      await b.sql`COMMIT`;
      await a.sql`COMMIT`;
      await completed(first);
      await completed(second);
      const [ofFirst, ofSecond] = [(await eventsOf(first))[0], (await eventsOf(second))[0]];
      expect([ofFirst.type, ofSecond.type]).toEqual(['created', 'created']);
      expect(Number(ofSecond.id)).toBeLessThan(Number(ofFirst.id));
    } finally {
      await a.sql.end();
      await b.sql.end();
    }
  });

  it('SET CONSTRAINTS ALL IMMEDIATE writes the staged task there, inside the transaction', async () => {
    const a = await open();
    try {
      const staged = await a.stage('immediate');
      expect(await inside(a.sql, staged)).toEqual({ tasks: 0, events: 0, intents: 1 });
      await a.sql`SET CONSTRAINTS ALL IMMEDIATE`;
      expect(await inside(a.sql, staged)).toEqual({ tasks: 1, events: 1, intents: 0 });
      // From there on, each call writes its task in its own statement.
      const next = await a.stage('next');
      expect(await inside(a.sql, next)).toEqual({ tasks: 1, events: 1, intents: 0 });
      // Not committed yet: invisible to others, and the event lock is held from there to the commit.
      expect(await rows(staged)).toEqual({ tasks: 0, events: 0 });
      const meanwhile = ok(CREATE, { input: { kind: 'echo', input: 'waits' } });
      await waitFor(async () => (await advisoryWaiters(db())).length > 0, 10_000, 'a create to wait for the event lock');
      await a.sql`COMMIT`;
      const { createTask } = await meanwhile;
      await completed(staged);
      await completed(next);
      await completed(createTask.task.id);
      expect(Number((await eventsOf(createTask.task.id))[0].id)).toBeGreaterThan(Number((await eventsOf(next))[0].id));
    } finally {
      await a.sql.end();
    }
  });


  it('a thousand tasks in one transaction: all written at its commit, their created events contiguous and in call order, in one notice', async () => {
    const notices: string[] = [];
    const listening = await db().listen('task_events', (payload) => notices.push(payload));
    try {
      const staged = await db().begin(async (tx) => {
        const calls = await tx<{ i: number; id: string }[]>`
          SELECT i, create_task('only.elsewhere/burst', to_jsonb(i), ${tx.json({ queue: 'burst-sql' })}) AS id FROM generate_series(1, 1000) AS i`;
        // Staged only, until the commit.
        expect(await tx`SELECT count(*)::int AS n FROM tasks WHERE id = ANY(${calls.map((c) => c.id)}::bigint[])`).toEqual([{ n: 0 }]);
        return calls.sort((a, b) => a.i - b.i);
      });
      const ids = staged.map((s) => s.id);
      expect(new Set(ids).size).toBe(1000);
      const written = await db()<{ id: string; input: number; status: string; waiting_for: string | null }[]>`
        SELECT t.id::text, t.input, t.status::text, t.waiting_for FROM tasks t WHERE t.id = ANY(${ids}::bigint[]) ORDER BY t.id`;
      expect(written.map((t) => t.id)).toEqual(ids);
      expect(written.map((t) => t.input)).toEqual(staged.map((s) => s.i));
      expect(new Set(written.map((t) => `${t.status}:${t.waiting_for}`))).toEqual(new Set(['pending:null']));
      const events = await db()<{ id: string; task_id: string; type: string }[]>`
        SELECT e.id::text, e.task_id::text, e.type FROM task_events e WHERE e.task_id = ANY(${ids}::bigint[]) ORDER BY e.id`;
      expect(events.map((e) => e.task_id)).toEqual(ids);
      expect(new Set(events.map((e) => e.type))).toEqual(new Set(['created']));
      const [first, last] = [Number(events[0].id), Number(events[999].id)];
      // Contiguous: no other event between the first and the last.
      expect(last - first).toBe(999);
      await waitFor(async () => notices.some((n) => n.endsWith(`|${last}`)), 10_000, 'the notice of the created events');
      const ours = notices.filter((n) => {
        const [, , before, upTo] = n.split('|');
        return Number(upTo) >= first && Number(before) < last;
      });
      expect(ours).toEqual([`n|created|${first - 1}|${last}`]);
      expect(await intents()).toBe(0);
    } finally {
      await listening.unlisten();
    }
  });

  it('held from its creation as createTasks holds a batch: a queue at its concurrency, a key at its keyConcurrency, a key free', async () => {
    gate.close();
    await ok(`mutation { setQueueLimits(name: "batch-limit", concurrency: 2) { name } }`, {});
    await ok(`mutation { setQueueLimits(name: "batch-key", keyConcurrency: 1) { name } }`, {});
    // Room for the five of a free key: no claim holds one of them while another of its key runs.
    await ok(`mutation { setQueueLimits(name: "batch-free", keyConcurrency: 5) { name } }`, {});
    const CREATE_MANY = `mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id status waitingFor } } }`;
    const running = (await ok(CREATE_MANY, { inputs: [
      { kind: 'gated', queue: 'batch-limit' },
      { kind: 'gated', queue: 'batch-limit' },
      { kind: 'gated', queue: 'batch-key', concurrencyKey: 'busy' },
    ] })).createTasks.tasks.map((t: { id: string }) => t.id);
    await waitFor(async () => (await Promise.all(running.map(statusOf))).every((s) => s === 'RUNNING'), 10_000, 'the gated tasks to start');
    try {
      // Five due tasks each: of the queue that runs all it allows, of the key that runs all it
      // allows, and of a key with nothing running (the five do not count each other).
      const batch = (free: string) => [
        ...Array.from({ length: 5 }, () => ({ queue: 'batch-limit' })),
        ...Array.from({ length: 5 }, () => ({ queue: 'batch-key', concurrencyKey: 'busy' })),
        ...Array.from({ length: 5 }, () => ({ queue: 'batch-free', concurrencyKey: free })),
      ];
      const staged = await db().begin(async (tx) => {
        const ids: string[] = [];
        for (const options of batch('free-sql')) ids.push((await tx<{ id: string }[]>`SELECT create_task('echo', 'null', ${tx.json(options)}) AS id`)[0].id);
        return ids;
      });
      const viaGraphql = (await ok(CREATE_MANY, { inputs: batch('free-graphql').map((options) => ({ kind: 'echo', ...options })) })).createTasks.tasks;
      // As created, from the events: a claim may have held or run a task since.
      const fromSql = await db()<{ task_id: string; data: Record<string, unknown> | null }[]>`
        SELECT e.task_id::text, e.data FROM task_events e WHERE e.task_id = ANY(${staged}::bigint[]) AND e.type = 'created' ORDER BY e.id`;
      const expected = [...Array(5).fill('QUEUE_CONCURRENCY'), ...Array(5).fill('KEY_CONCURRENCY'), ...Array(5).fill(null)];
      expect(viaGraphql.map((t: { waitingFor: string | null }) => t.waitingFor)).toEqual(expected);
      expect(fromSql.map((e) => e.task_id)).toEqual(staged);
      expect(fromSql.map((e) => e.data)).toEqual(expected.map((reason) => (reason ? { waitingFor: reason } : null)));
      gate.open();
      for (const id of [...running, ...staged, ...viaGraphql.map((t: { id: string }) => t.id)]) await completed(id);
    } finally {
      gate.open();
    }
  });
});
