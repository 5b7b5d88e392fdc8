// EXECUTOR_PREFETCH unset (auto): slow tasks are claimed into free slots only, so the rest stays
// in the queue for other processes; a deep queue of quick tasks is claimed ahead in bigger batches.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { TaskKind } from '../src/tasks/kind.js';
import { ADAPTIVE_MAX } from '../src/tasks/prefetch.js';
import { describePg } from './support/db.js';
import { appForFile, waitFor } from './support/app.js';

let open: () => void = () => {};
const gate = new Promise<void>((resolve) => (open = resolve));
const gated: TaskKind = { run: () => gate };
const quick: TaskKind = { run: () => {} };

describePg('adaptive prefetch (the default)', () => {
  // Polls every 100 ms: each a chance to claim more than it should.
  const app = appForFile({ EXECUTOR_CONCURRENCY: '2', EXECUTOR_START_ON_CREATE: 'false', POLL_INTERVAL_MS: '100' }, { gated, quick });
  const createMany = async (kind: string, n: number) => {
    const { errors } = await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, {
      inputs: Array.from({ length: n }, () => ({ kind, input: null })),
    });
    expect(errors).toBeUndefined();
  };
  const count = async (kind: string, status: string) =>
    (await app.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks WHERE kind = ${kind} AND status = ${status}::task_status`))[0].n;
  /** The biggest claim of a kind's tasks: the started events of one claim share its statement's time. */
  const biggestClaim = async (kind: string) =>
    (await app.db.query<{ most: number }>(sql`
      SELECT coalesce(max(n), 0)::int AS most FROM (
        SELECT count(*) AS n FROM task_events e JOIN tasks t ON t.id = e.task_id WHERE t.kind = ${kind} AND e.type = 'started' GROUP BY e.at) c`))[0].most;

  it('claims slow tasks into its free slots only: the rest stays pending for any process', async () => {
    await createMany('gated', 10);
    await waitFor(async () => (await count('gated', 'running')) === 2, 10_000, 'two to run');
    // Five polls later, still only the two it runs are claimed.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await count('gated', 'running')).toBe(2);
    expect(await count('gated', 'pending')).toBe(8);
    open();
    await waitFor(async () => (await count('gated', 'completed')) === 10, 10_000, 'every task to complete');
  });

  it('claims a deep queue of quick tasks ahead of its two slots, bounded', async () => {
    await createMany('quick', 3000);
    await waitFor(async () => (await count('quick', 'completed')) === 3000, 30_000, 'every task to complete');
    // Ahead of its two slots, and never more than the two and the most it claims ahead.
    const biggest = await biggestClaim('quick');
    expect(biggest).toBeGreaterThan(2);
    expect(biggest).toBeLessThanOrEqual(2 + ADAPTIVE_MAX);
  });
});
