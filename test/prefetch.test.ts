// EXECUTOR_PREFETCH: the executor claims ahead of its free slots into a local queue. Never more than
// its concurrency run at once, each task runs once, and what was claimed ahead but not started goes
// back to the queue, without counting as an attempt, when the worker is paused or scaled to zero.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { TaskKind } from '../src/tasks/kind.js';
import { describePg } from './support/db.js';
import { advisoryWaiters, appForFile, connectionTo, waitFor } from './support/app.js';

// Handlers that hold their slot until the test opens the gate.
let open: () => void = () => {};
let gate = Promise.resolve();
const closeGate = () => (gate = new Promise<void>((resolve) => (open = resolve)));
const runs = new Map<string, number>();
let running = 0;
let most = 0;
const gated: TaskKind = {
  async run(_input, ctx) {
    runs.set(ctx.task.id, (runs.get(ctx.task.id) ?? 0) + 1);
    most = Math.max(most, ++running);
    try {
      await gate;
    } finally {
      running--;
    }
  },
};

describePg('prefetch', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '2', EXECUTOR_PREFETCH: '10', EXECUTOR_START_ON_CREATE: 'false' }, { gated });

  async function createGated(n: number): Promise<string[]> {
    const { data, errors } = await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, {
      inputs: Array.from({ length: n }, () => ({ kind: 'gated', input: null })),
    });
    expect(errors).toBeUndefined();
    return data.createTasks.tasks.map((t: { id: string }) => t.id);
  }
  const rows = (ids: string[]) =>
    app.db.query<{ id: string; status: string; attempts: number; worker_id: string | null }>(sql`
      SELECT id::text, status::text, attempts, worker_id FROM tasks WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[]) ORDER BY id`);
  const count = async (ids: string[], status: string) => (await rows(ids)).filter((r) => r.status === status).length;
  const events = (ids: string[]) =>
    app.db.query<{ task_id: string; type: string; data: any }>(sql`
      SELECT task_id::text, type, data FROM task_events WHERE task_id = ANY(${`{${ids.join(',')}}`}::bigint[]) ORDER BY id`);
  const steer = (mutation: string, extra = '') =>
    app.gql(`mutation($id: ID!) { ${mutation}(id: $id${extra}) { state concurrency } }`, { id: app.executor.workerId });

  async function handsBackWhenStopped(stopWith: () => Promise<unknown>, restart: () => Promise<unknown>, reason: string) {
    closeGate();
    const ids = await createGated(8);
    // Two run; the other six are claimed ahead, held by this worker but not started.
    await waitFor(async () => running === 2 && (await count(ids, 'running')) === 8, 10_000, 'two running and six claimed ahead');
    const ahead = (await rows(ids)).map((r) => r.id).filter((id) => !runs.has(id));
    expect(ahead).toHaveLength(6);

    await stopWith();
    await waitFor(async () => (await count(ahead, 'pending')) === 6, 10_000, 'the six to be handed back');
    for (const row of await rows(ahead)) expect(row).toMatchObject({ status: 'pending', attempts: 0, worker_id: null });
    const handedBack = (await events(ahead)).filter((e) => e.type === 'requeued');
    expect(handedBack.map((e) => e.data)).toEqual(Array.from({ length: 6 }, () => ({ reason })));
    // The two running are not aborted, and nothing new starts while stopped.
    open();
    await waitFor(async () => (await count(ids, 'completed')) === 2, 10_000, 'the two running to complete');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await count(ahead, 'pending')).toBe(6);

    await restart();
    await waitFor(async () => (await count(ids, 'completed')) === 8, 10_000, 'every task to complete');
    for (const id of ids) expect(runs.get(id)).toBe(1);
    const all = await events(ids);
    for (const id of ids) expect(all.filter((e) => e.task_id === id && e.type === 'completed')).toHaveLength(1);
    expect(most).toBeLessThanOrEqual(2);
  }

  it('hands back what it claimed ahead when the worker is paused, and runs it once resumed', async () => {
    await handsBackWhenStopped(() => steer('pauseWorker'), () => steer('resumeWorker'), 'paused');
  });

  it('hands back what it claimed ahead when the worker is scaled to zero', async () => {
    await handsBackWhenStopped(
      () => steer('setWorkerConcurrency', ', concurrency: 0'),
      () => steer('setWorkerConcurrency', ', concurrency: 2'),
      'scaled_to_zero',
    );
  });

  it('hands back what a claim in flight brings once the worker was paused meanwhile', async () => {
    closeGate();
    open();
    await steer('pauseWorker');
    await waitFor(async () => app.executor.paused(), 5000, 'the pause to reach the executor');
    const ids = await createGated(4);
    const holder = await connectionTo(app);
    try {
      // The claim that the resume sets off marks the tasks running, then waits for the event lock,
      // held here; meanwhile the worker is paused again, and the executor hears of it.
      await holder`SELECT pg_advisory_lock(task_event_lock())`;
      await steer('resumeWorker');
      await waitFor(async () => (await advisoryWaiters(holder)).length > 0, 5000, 'the claim to wait for the lock');
      await steer('pauseWorker');
      await waitFor(async () => app.executor.paused(), 5000, 'the second pause to reach the executor');
    } finally {
      await holder`SELECT pg_advisory_unlock(task_event_lock())`;
      await holder.end();
    }
    // Waits for the hand-back's events: until the claim commits, the tasks still read as pending.
    await waitFor(async () => (await events(ids)).filter((e) => e.type === 'requeued').length === 4, 10_000, 'the claimed tasks to be handed back');
    for (const row of await rows(ids)) expect(row).toMatchObject({ status: 'pending', attempts: 0, worker_id: null });
    const types = (await events(ids)).map((e) => `${e.type}:${e.data?.reason ?? ''}`);
    expect(types.filter((t) => t.startsWith('requeued'))).toEqual(Array.from({ length: 4 }, () => 'requeued:paused'));
    for (const id of ids) expect(runs.has(id)).toBe(false);
    await steer('resumeWorker');
    await waitFor(async () => (await count(ids, 'completed')) === 4, 10_000, 'every task to complete once resumed');
    for (const id of ids) expect(runs.get(id)).toBe(1);
  });
});
