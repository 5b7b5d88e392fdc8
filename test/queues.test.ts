// Queues and their rules as clients use them: names, pause and resume, concurrency keys, rate
// limits, unique keys, and the refusals. What is enforced is read back from the event log, in
// commit order, never from timings.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { sleep, type TaskKind } from '../src/tasks/kind.js';
import { describePg } from './support/db.js';
import { appForFile, collect, waitFor } from './support/app.js';

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { deduplicated task { id status queue waitingFor } } }`;
const CREATE_MANY = `mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`;
const LIMITS = `mutation($name: String!, $concurrency: Int, $keyConcurrency: Int, $rateLimit: RateLimitInput) {
  setQueueLimits(name: $name, concurrency: $concurrency, keyConcurrency: $keyConcurrency, rateLimit: $rateLimit) {
    name paused concurrency keyConcurrency rateLimit { limit periodSeconds } } }`;
const QUEUE = `query($name: String!) { queue(name: $name) { name paused concurrency keyConcurrency rateLimit { limit periodSeconds } pending running waitingForLimit } }`;

const work: TaskKind<{ ms?: number }> = { run: (input, ctx) => sleep(input?.ms ?? 20, ctx.signal) };
// Runs until the test opens the gate: a task that is certainly still running.
let openGate = () => {};
const gated: TaskKind = { run: () => new Promise<void>((resolve) => (openGate = resolve)) };

describePg('queues', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '8', POLL_INTERVAL_MS: '60000' }, { work, gated });
  const code = (r: { errors?: Array<{ extensions?: { code?: string } }> }) => r.errors?.[0]?.extensions?.code;
  const create = async (input: Record<string, unknown>) => {
    const { data, errors } = await app.gql(CREATE, { input });
    expect(errors).toBeUndefined();
    return data.createTask;
  };
  const createMany = async (inputs: Array<Record<string, unknown>>) =>
    (await app.gql(CREATE_MANY, { inputs })).data.createTasks.tasks.map((t: { id: string }) => t.id) as string[];
  const finished = (ids: string[], timeoutMs = 30_000) =>
    waitFor(async () => {
      const [{ n }] = await app.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[]) AND status = 'completed'`);
      return n === ids.length;
    }, timeoutMs, `${ids.length} tasks to complete`);
  /** The most tasks running at once, per group, replayed from the event log in commit order. */
  const maxRunning = async (ids: string[], group: 'queue' | 'concurrency_key') => {
    const rows = await app.db.query<{ g: string; most: number }>(sql`
      SELECT g, max(running)::int AS most FROM (
        SELECT t.${sql.raw(group)} AS g, sum(CASE WHEN e.type = 'started' THEN 1
          WHEN e.type IN ('completed', 'failed', 'timed_out', 'retrying', 'requeued') THEN -1 ELSE 0 END)
          OVER (PARTITION BY t.${sql.raw(group)} ORDER BY e.id) AS running
        FROM task_events e JOIN tasks t ON t.id = e.task_id WHERE t.id = ANY(${`{${ids.join(',')}}`}::bigint[])) r
      GROUP BY g`);
    return Object.fromEntries(rows.map((r) => [r.g, r.most]));
  };

  it('names queues: a task names one (default "default"), and a bad name is refused', async () => {
    const { task } = await create({ kind: 'work', queue: 'mail.out-1_x' });
    expect(task.queue).toBe('mail.out-1_x');
    expect((await create({ kind: 'work' })).task.queue).toBe('default');
    const names = (await app.gql(`{ queues { name } }`)).data.queues.map((q: { name: string }) => q.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'mail.out-1_x']));
    for (const bad of ['', 'a'.repeat(65), 'has space', 'ümlaut', 'semi;colon']) {
      const result = await app.gql(CREATE, { input: { kind: 'work', queue: bad } });
      expect(code(result)).toBe('INVALID_INPUT');
      expect(result.errors[0].message).toContain('queue');
    }
    await finished([task.id]);
    const listed = await app.gql(`query($q: [String!]) { tasks(queue: $q) { totalCount nodes { queue } } }`, { q: ['mail.out-1_x'] });
    expect(listed.data.tasks).toEqual({ totalCount: 1, nodes: [{ queue: 'mail.out-1_x' }] });
  });

  it('refuses bad limits with INVALID_INPUT naming the field, and changes nothing', async () => {
    await app.gql(LIMITS, { name: 'strict', concurrency: 2 });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'strict', concurrency: -1 }, 'concurrency'],
      [{ name: 'strict', keyConcurrency: -2 }, 'keyConcurrency'],
      [{ name: 'strict', rateLimit: { limit: -1, periodSeconds: 10 } }, 'rateLimit.limit'],
      [{ name: 'strict', rateLimit: { limit: 5, periodSeconds: 0 } }, 'rateLimit.periodSeconds'],
      [{ name: 'x'.repeat(65), concurrency: 1 }, 'name'],
    ];
    for (const [variables, field] of cases) {
      const result = await app.gql(LIMITS, variables);
      expect(code(result)).toBe('INVALID_INPUT');
      expect(result.errors[0].message).toContain(field);
    }
    expect((await app.gql(QUEUE, { name: 'strict' })).data.queue).toMatchObject({ concurrency: 2, keyConcurrency: null, rateLimit: null });
    // Left out: unchanged; null: cleared.
    await app.gql(LIMITS, { name: 'strict', keyConcurrency: 3 });
    expect((await app.gql(QUEUE, { name: 'strict' })).data.queue).toMatchObject({ concurrency: 2, keyConcurrency: 3 });
    await app.gql(LIMITS, { name: 'strict', concurrency: null, rateLimit: { limit: 10, periodSeconds: 60 } });
    expect((await app.gql(QUEUE, { name: 'strict' })).data.queue).toMatchObject({ concurrency: null, keyConcurrency: 3, rateLimit: { limit: 10, periodSeconds: 60 } });
    expect(code(await app.gql(`mutation { pauseQueue(name: "bad name") { name } }`))).toBe('INVALID_INPUT');
  });

  it('a paused queue starts nothing from the moment pauseQueue returns; resumed, everything runs', async () => {
    await app.gql(`mutation { pauseQueue(name: "paused") { paused } }`);
    const { task } = await create({ kind: 'work', queue: 'paused' });
    // An idle executor would start it in the create statement; a paused queue's task waits.
    expect(task).toMatchObject({ status: 'PENDING', waitingFor: 'QUEUE_PAUSED' });
    const ids = [task.id, ...(await createMany(Array.from({ length: 20 }, () => ({ kind: 'work', queue: 'paused' }))))];
    // Held from their creation, saying why; claims take none of them.
    const events = await app.db.query<{ type: string; data: unknown }>(sql`SELECT type, data FROM task_events WHERE task_id = ANY(${`{${ids.join(',')}}`}::bigint[])`);
    expect(events).toHaveLength(ids.length);
    expect(new Set(events.map((e) => JSON.stringify(e)))).toEqual(new Set([JSON.stringify({ type: 'created', data: { waitingFor: 'QUEUE_PAUSED' } })]));
    expect((await app.gql(QUEUE, { name: 'paused' })).data.queue).toMatchObject({ paused: true, pending: 21, running: 0, waitingForLimit: 21 });
    await app.gql(`mutation { resumeQueue(name: "paused") { paused } }`);
    await finished(ids);
    const [{ attempts }] = await app.db.query<{ attempts: number }>(sql`SELECT max(attempts)::int AS attempts FROM tasks WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[])`);
    expect(attempts).toBe(1);
  });

  it('a concurrency key runs one at a time (or keyConcurrency), in order, and a busy key never starves another', async () => {
    const busy = await createMany(Array.from({ length: 60 }, () => ({ kind: 'work', input: { ms: 15 }, queue: 'keyed', concurrencyKey: 'customer-a' })));
    const [lone] = await createMany([{ kind: 'work', input: { ms: 15 }, queue: 'keyed', concurrencyKey: 'customer-b' }]);
    await finished([...busy, lone]);
    expect(await maxRunning([...busy, lone], 'concurrency_key')).toEqual({ 'customer-a': 1, 'customer-b': 1 });
    // customer-b's one task started long before customer-a's sixty were done.
    const starts = await app.db.query<{ task_id: string }>(sql`
      SELECT task_id::text FROM task_events WHERE type = 'started' AND task_id = ANY(${`{${[...busy, lone].join(',')}}`}::bigint[]) ORDER BY id`);
    expect(starts.findIndex((s) => s.task_id === lone)).toBeLessThan(30);
    // One at a time, in creation order.
    expect(starts.filter((s) => s.task_id !== lone).map((s) => s.task_id)).toEqual(busy);

    await app.gql(LIMITS, { name: 'keyed2', keyConcurrency: 3 });
    const wide = await createMany(Array.from({ length: 40 }, (_, i) => ({ kind: 'work', input: { ms: 20 }, queue: 'keyed2', concurrencyKey: `k${i % 2}` })));
    await finished(wide);
    expect(await maxRunning(wide, 'concurrency_key')).toEqual({ k0: 3, k1: 3 });
  });

  it('cancelling the running task of a key gives its slot to the next one of the key', async () => {
    const { task: first } = await create({ kind: 'gated', queue: 'keyed-cancel', concurrencyKey: 'only' });
    await waitFor(async () => (await app.gql(`{ task(id: "${first.id}") { status } }`)).data.task.status === 'RUNNING', 10_000, 'the first to run');
    const { task: second } = await create({ kind: 'work', queue: 'keyed-cancel', concurrencyKey: 'only' });
    expect(second.waitingFor).toBe('KEY_CONCURRENCY');
    await app.gql(`mutation($id: ID!) { cancelTask(id: $id) { task { status } } }`, { id: first.id });
    await finished([second.id]);
    const types = await app.db.query<{ type: string }>(sql`SELECT type FROM task_events WHERE task_id = ${second.id}::bigint ORDER BY id`);
    expect(types.map((t) => t.type)).toEqual(['created', 'released', 'started', 'completed']);
  });

  it('a rate limit starts at most limit tasks in any window, each claimed when the window allows, not at the poll', async () => {
    await app.gql(LIMITS, { name: 'rated', rateLimit: { limit: 4, periodSeconds: 1 } });
    const ids = await createMany(Array.from({ length: 12 }, () => ({ kind: 'work', input: { ms: 1 }, queue: 'rated' })));
    // The poll is a minute away: only the due notice of each window can start the later ones.
    await finished(ids, 20_000);
    const starts = (await app.db.query<{ at: number }>(sql`
      SELECT (extract(epoch FROM at) * 1000)::float8 AS at FROM task_events
      WHERE type = 'started' AND task_id = ANY(${`{${ids.join(',')}}`}::bigint[]) ORDER BY at`)).map((r) => Number(r.at));
    expect(starts).toHaveLength(12);
    for (let i = 4; i < starts.length; i++) expect(starts[i] - starts[i - 4]).toBeGreaterThanOrEqual(1000);
    const [{ attempts }] = await app.db.query<{ attempts: number }>(sql`SELECT max(attempts)::int AS attempts FROM tasks WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[])`);
    expect(attempts).toBe(1);
    const waits = await app.db.query<{ data: unknown }>(sql`SELECT DISTINCT data FROM task_events WHERE type = 'held' AND task_id = ANY(${`{${ids.join(',')}}`}::bigint[])`);
    expect(waits.map((w) => w.data)).toEqual([{ waitingFor: 'RATE_LIMIT' }]);
  });

  it('a queue concurrency holds; lowered below what runs, it aborts nothing and starts nothing until under', async () => {
    await app.gql(LIMITS, { name: 'narrow', concurrency: 3 });
    const first = await createMany(Array.from({ length: 3 }, () => ({ kind: 'work', input: { ms: 800 }, queue: 'narrow' })));
    await waitFor(async () => (await app.gql(QUEUE, { name: 'narrow' })).data.queue.running === 3, 10_000, 'three to run');
    await app.gql(LIMITS, { name: 'narrow', concurrency: 1 });
    const rest = await createMany(Array.from({ length: 5 }, () => ({ kind: 'work', input: { ms: 10 }, queue: 'narrow' })));
    await finished([...first, ...rest]);
    const aborted = await app.db.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM task_events WHERE type IN ('retrying', 'requeued', 'failed') AND task_id = ANY(${`{${[...first, ...rest].join(',')}}`}::bigint[])`);
    expect(aborted[0].n).toBe(0);
    // After the limit fell to 1, the five ran one at a time, none while the first three ran.
    const order = await app.db.query<{ task_id: string; type: string }>(sql`
      SELECT task_id::text, type FROM task_events WHERE type IN ('started', 'completed')
        AND task_id = ANY(${`{${[...first, ...rest].join(',')}}`}::bigint[]) ORDER BY id`);
    let running = 0;
    let seenRest = false;
    for (const e of order) {
      running += e.type === 'started' ? 1 : -1;
      if (e.type === 'started' && rest.includes(e.task_id)) {
        seenRest = true;
        expect(running).toBe(1);
      }
      if (seenRest) expect(running).toBeLessThanOrEqual(1);
    }
  });

  it('a unique key returns the task that holds it while it is active, then is free again', async () => {
    const first = await create({ kind: 'gated', uniqueKey: 'report-7' });
    expect(first.deduplicated).toBe(false);
    const again = await create({ kind: 'gated', uniqueKey: 'report-7' });
    expect(again).toMatchObject({ deduplicated: true, task: { id: first.task.id } });
    // Concurrent creates in one burst: still one task.
    const burst = await Promise.all(Array.from({ length: 10 }, () => create({ kind: 'work', uniqueKey: 'report-7' })));
    expect(new Set(burst.map((b) => b.task.id))).toEqual(new Set([first.task.id]));
    await waitFor(async () => (await app.gql(`{ task(id: "${first.task.id}") { status } }`)).data.task.status === 'RUNNING', 5000, 'the task to run');
    openGate();
    await finished([first.task.id]);
    const later = await create({ kind: 'work', uniqueKey: 'report-7' });
    expect(later.deduplicated).toBe(false);
    expect(later.task.id).not.toBe(first.task.id);
    // An idempotency key repeated is deduplicated too, for good.
    const keyed = await create({ kind: 'work', idempotencyKey: 'once-only' });
    expect(await create({ kind: 'work', idempotencyKey: 'once-only' })).toMatchObject({ deduplicated: true, task: { id: keyed.task.id } });
  });

  it('a unique key for seconds holds through the task finishing, and frees after the window', async () => {
    const first = await create({ kind: 'work', input: { ms: 1 }, uniqueKey: 'digest', uniqueWhile: 'FOR_SECONDS', uniqueSeconds: 2 });
    await finished([first.task.id]);
    const again = await create({ kind: 'work', uniqueKey: 'digest', uniqueWhile: 'FOR_SECONDS', uniqueSeconds: 2 });
    expect(again).toMatchObject({ deduplicated: true, task: { id: first.task.id } });
    const inBatch = (await app.gql(CREATE_MANY, { inputs: Array.from({ length: 3 }, () => ({ kind: 'work', uniqueKey: 'digest-b', uniqueWhile: 'FOR_SECONDS', uniqueSeconds: 60 })) })).data.createTasks.tasks;
    expect(new Set(inBatch.map((t: { id: string }) => t.id)).size).toBe(1);
    const window = await app.db.query<{ until: number }>(sql`SELECT (extract(epoch FROM until) * 1000)::float8 AS until FROM task_unique_windows WHERE unique_key = 'digest'`);
    await waitFor(async () => Date.now() > Number(window[0].until) + 50 && true, 5000, 'the window to end');
    const after = await create({ kind: 'work', uniqueKey: 'digest', uniqueWhile: 'FOR_SECONDS', uniqueSeconds: 2 });
    expect(after.deduplicated).toBe(false);
    for (const [input, message] of [
      [{ kind: 'work', uniqueWhile: 'ACTIVE' }, 'uniqueKey'],
      [{ kind: 'work', uniqueKey: 'k', uniqueWhile: 'FOR_SECONDS' }, 'uniqueSeconds'],
      [{ kind: 'work', uniqueKey: 'k', uniqueSeconds: 5 }, 'uniqueSeconds'],
      [{ kind: 'work', uniqueKey: '' }, 'uniqueKey'],
      [{ kind: 'work', concurrencyKey: '' }, 'concurrencyKey'],
    ] as const) {
      const result = await app.gql(CREATE, { input });
      expect(code(result)).toBe('INVALID_INPUT');
      expect(result.errors[0].message).toContain(message);
    }
  });

  it('queueUpdated sends the queue now, then each change of its rules and counts', async () => {
    await app.gql(LIMITS, { name: 'watched', concurrency: 2 });
    const stream = collect(app.ws(), `subscription { queueUpdated(name: "watched") { name paused concurrency pending running } }`, {}, (items) =>
      items.some((i) => i.queueUpdated.paused) && items.some((i) => i.queueUpdated.pending === 1));
    await stream.ready;
    await app.gql(`mutation { pauseQueue(name: "watched") { paused } }`);
    await create({ kind: 'work', queue: 'watched' });
    const items = (await stream.finished).map((i) => i.queueUpdated);
    expect(items[0]).toMatchObject({ name: 'watched', paused: false, concurrency: 2 });
    expect(items.at(-1)).toMatchObject({ paused: true, pending: 1, running: 0 });
    await app.gql(`mutation { resumeQueue(name: "watched") { paused } }`);
  });
});
