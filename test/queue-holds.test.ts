// When tasks are held and when they come back: rules changed after a task was claimed, room a
// release missed, keys with room at creation, tasks due later, and unique keys that two creates
// take at once in opposite orders. Read back from rows and the event log, never from timings.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { TaskKind } from '../src/tasks/kind.js';
import { describePg } from './support/db.js';
import { appForFile, waitFor } from './support/app.js';

const CREATE = `mutation($input: CreateTaskInput!) { createTask(input: $input) { deduplicated task { id status waitingFor } } }`;
const CREATE_MANY = `mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id uniqueKey } } }`;
const LIMITS = `mutation($name: String!, $concurrency: Int, $keyConcurrency: Int) {
  setQueueLimits(name: $name, concurrency: $concurrency, keyConcurrency: $keyConcurrency) { name } }`;

// A task that runs until the test opens its gate (input.gate names it).
const gates = new Map<string, () => void>();
const open = (name: string) => gates.get(name)?.();
const held: TaskKind<{ gate: string }> = { run: (input) => new Promise<void>((resolve) => gates.set(input.gate, resolve)) };

describePg('queue holds', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '8', POLL_INTERVAL_MS: '60000' }, { held });
  const create = async (input: Record<string, unknown>) => {
    const { data, errors } = await app.gql(CREATE, { input });
    expect(errors).toBeUndefined();
    return data.createTask.task as { id: string; status: string; waitingFor: string | null };
  };
  const status = async (id: string) => (await app.gql(`{ task(id: "${id}") { status waitingFor } }`)).data.task;
  const statusIs = (id: string, want: string) => waitFor(async () => (await status(id)).status === want, 10_000, `task ${id} to be ${want}`);
  const events = async (id: string) =>
    (await app.db.query<{ type: string }>(sql`SELECT type FROM task_events WHERE task_id = ${id}::bigint ORDER BY id`)).map((e) => e.type);

  it('a concurrency set after a task was claimed: its finish gives the slot to the task held for it', async () => {
    const first = await create({ kind: 'held', input: { gate: 'late-1' }, queue: 'late' });
    await statusIs(first.id, 'RUNNING');
    await app.gql(LIMITS, { name: 'late', concurrency: 1 });
    const second = await create({ kind: 'held', input: { gate: 'late-2' }, queue: 'late' });
    expect(second).toMatchObject({ status: 'PENDING', waitingFor: 'QUEUE_CONCURRENCY' });
    open('late-1');
    await statusIs(second.id, 'RUNNING');
    expect(await events(second.id)).toEqual(['created', 'released', 'started']);
    open('late-2');
    await statusIs(second.id, 'COMPLETED');
  });

  it('a hold no statement released (its slot freed before it committed) is released by the sweep', async () => {
    await app.gql(LIMITS, { name: 'missed', concurrency: 2 });
    await app.gql(`mutation { pauseQueue(name: "missed") { name } }`);
    const task = await create({ kind: 'held', input: { gate: 'missed' }, queue: 'missed' });
    expect(task.waitingFor).toBe('QUEUE_PAUSED');
    // As a create racing the last running task's finish leaves it: held for a concurrency with room.
    await app.db.query(sql`UPDATE queues SET paused = false WHERE name = 'missed'`);
    await app.db.query(sql`UPDATE tasks SET waiting_for = 'QUEUE_CONCURRENCY' WHERE id = ${task.id}::bigint`);
    expect(await app.store.queues.releaseQueueHolds(1000)).toBe(1);
    await statusIs(task.id, 'RUNNING');
    expect(await events(task.id)).toEqual(['created', 'released', 'started']);
    open('missed');
  });

  it('a key with keyConcurrency 2 holds only the third task at creation; a task due later is not held', async () => {
    await app.gql(LIMITS, { name: 'pairs', keyConcurrency: 2 });
    const a = await create({ kind: 'held', input: { gate: 'pair-a' }, queue: 'pairs', concurrencyKey: 'k' });
    await statusIs(a.id, 'RUNNING');
    const b = await create({ kind: 'held', input: { gate: 'pair-b' }, queue: 'pairs', concurrencyKey: 'k' });
    expect(b.waitingFor).toBeNull();
    await statusIs(b.id, 'RUNNING');
    const c = await create({ kind: 'held', input: { gate: 'pair-c' }, queue: 'pairs', concurrencyKey: 'k' });
    expect(c.waitingFor).toBe('KEY_CONCURRENCY');
    const later = await create({ kind: 'held', input: { gate: 'pair-later' }, queue: 'pairs', concurrencyKey: 'k', runAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(later.waitingFor).toBeNull();
    await app.gql(`mutation { pauseQueue(name: "pairs") { name } }`);
    // Its queue paused, it shows QUEUE_PAUSED, but is not held in its row: it is not due.
    const paused = await create({ kind: 'held', input: { gate: 'pair-paused' }, queue: 'pairs', runAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(paused.waitingFor).toBe('QUEUE_PAUSED');
    const [row] = await app.db.query<{ waiting_for: string | null }>(sql`SELECT waiting_for FROM tasks WHERE id = ${paused.id}::bigint`);
    expect(row.waiting_for).toBeNull();
    await app.gql(`mutation { resumeQueue(name: "pairs") { name } }`);
    open('pair-a');
    await statusIs(c.id, 'RUNNING');
    open('pair-b');
    open('pair-c');
    for (const id of [later.id, paused.id]) await app.gql(`mutation { cancelTask(id: "${id}") { id } }`);
  });

  it('a resume releases its held tasks as far as the concurrency allows, and each finish the next', async () => {
    await app.gql(LIMITS, { name: 'resumed', concurrency: 2 });
    await app.gql(`mutation { pauseQueue(name: "resumed") { name } }`);
    const tasks = [];
    for (let i = 0; i < 4; i++) tasks.push(await create({ kind: 'held', input: { gate: `resumed-${i}` }, queue: 'resumed' }));
    expect(tasks.map((t) => t.waitingFor)).toEqual(Array(4).fill('QUEUE_PAUSED'));
    await app.gql(`mutation { resumeQueue(name: "resumed") { name } }`);
    expect((await Promise.all(tasks.map((t) => status(t.id)))).map((s) => s.waitingFor)).toEqual([null, null, 'QUEUE_PAUSED', 'QUEUE_PAUSED']);
    await statusIs(tasks[1].id, 'RUNNING');
    open('resumed-0');
    await statusIs(tasks[2].id, 'RUNNING');
    expect((await status(tasks[3].id)).waitingFor).toBe('QUEUE_PAUSED');
    for (let i = 1; i < 4; i++) {
      await statusIs(tasks[i].id, 'RUNNING');
      open(`resumed-${i}`);
    }
    await statusIs(tasks[3].id, 'COMPLETED');
  });

  it('two creates taking the same unique keys in opposite orders both answer, one task per key', async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `crossed-${i}`);
    const batch = (order: string[]) => order.map((uniqueKey) => ({ kind: 'held', input: { gate: uniqueKey }, uniqueKey, runAt: new Date(Date.now() + 3_600_000).toISOString() }));
    const answers = await Promise.all([0, 1, 2, 3].map((i) => app.gql(CREATE_MANY, { inputs: batch(i % 2 ? [...keys].reverse() : keys) })));
    expect(answers.map((a) => a.errors)).toEqual([undefined, undefined, undefined, undefined]);
    const ids = new Map<string, Set<string>>();
    for (const a of answers) for (const t of a.data.createTasks.tasks) ids.set(t.uniqueKey, (ids.get(t.uniqueKey) ?? new Set()).add(t.id));
    expect([...ids.values()].map((s) => s.size)).toEqual(keys.map(() => 1));
    const [{ n }] = await app.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks WHERE unique_key LIKE 'crossed-%'`);
    expect(n).toBe(500);
  });

  it('a window whose task was not inserted (its idempotency key was taken) does not hold its key', async () => {
    const first = await create({ kind: 'held', input: { gate: 'idem' }, idempotencyKey: 'idem-1', runAt: new Date(Date.now() + 3_600_000).toISOString() });
    const repeat = await app.gql(CREATE, { input: { kind: 'held', input: { gate: 'idem' }, idempotencyKey: 'idem-1', uniqueKey: 'win-1', uniqueWhile: 'FOR_SECONDS', uniqueSeconds: 600 } });
    expect(repeat.data.createTask).toMatchObject({ deduplicated: true, task: { id: first.id } });
    const fresh = await app.gql(CREATE, { input: { kind: 'held', input: { gate: 'idem' }, uniqueKey: 'win-1', uniqueWhile: 'FOR_SECONDS', uniqueSeconds: 600, runAt: new Date(Date.now() + 3_600_000).toISOString() } });
    expect(fresh.data.createTask.deduplicated).toBe(false);
    expect(fresh.data.createTask.task.id).not.toBe(first.id);
  });
});
