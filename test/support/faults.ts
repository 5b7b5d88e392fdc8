// One fault scenario, shared by the fault tests: 300 tasks running and a subscriber following
// every event while `fault` strikes for 5 s; afterwards every task completed exactly once, no
// attempt ran twice, the subscriber has every event once, and /ready went 503 and back to 200.
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { sleep, type TaskKind } from '../../src/tasks/kind.js';
import { collect, waitFor, type TestApp } from './app.js';

/** A handler that records each (task, attempt) it runs. */
export function recordingKind(runs: string[]): TaskKind {
  return {
    async run(input: { ms: number }, ctx) {
      runs.push(`${ctx.task.id}:${ctx.task.attempt}`);
      await sleep(input.ms, ctx.signal);
      return { ok: true };
    },
  };
}

export async function survive(app: TestApp, direct: Database, fault: () => void | Promise<void>, restore: () => void | Promise<void>, runs: string[]) {
  runs.length = 0;
  const [{ base }] = await direct.query<{ base: number }>(sql`SELECT count(*)::int AS base FROM tasks`);
  const [{ after }] = await direct.query<{ after: string }>(sql`SELECT coalesce(max(id), 0)::text AS after FROM task_events`);
  const stream = collect(app.ws(), 'subscription($after: String) { taskEvents(after: $after) { cursor type } }', { after }, () => false, 120_000);
  stream.finished.catch(() => {});
  const { data } = await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, {
    inputs: Array.from({ length: 300 }, (_, i) => ({ kind: 'work', input: { ms: 20 + (i % 5) * 40 } })),
  });
  expect(data.createTasks.tasks).toHaveLength(300);
  await waitFor(async () => (await direct.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks WHERE status = 'completed'`))[0].n >= base + 30, 20_000, 'work under way');

  await fault();
  await waitFor(async () => (await fetch(`${app.url}/ready`)).status === 503, 5000, '/ready to report 503');
  await new Promise((r) => setTimeout(r, 5000));
  await restore();
  await waitFor(async () => (await fetch(`${app.url}/ready`)).status === 200, 20_000, '/ready to report 200');

  await waitFor(async () => (await direct.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks WHERE status = 'completed'`))[0].n === base + 300, 60_000, 'every task to complete');
  const perTask = await direct.query<{ completed: number }>(sql`
    SELECT count(*) FILTER (WHERE e.type = 'completed')::int AS completed FROM tasks t JOIN task_events e ON e.task_id = t.id WHERE t.id > ${base} GROUP BY t.id`);
  expect(perTask).toHaveLength(300);
  expect(perTask.every((r) => r.completed === 1)).toBe(true);
  // A handler may run again after a lost claim, but never twice for the same attempt.
  expect(new Set(runs).size).toBe(runs.length);

  const stored = (await direct.query<{ id: string }>(sql`SELECT id::text AS id FROM task_events WHERE id > ${Number(after)} ORDER BY task_events.id`)).map((r) => r.id);
  await waitFor(async () => stream.items.length >= stored.length, 20_000, 'the subscriber to catch up').catch((error) => {
    throw new Error(`${error.message}: ${stream.items.length} of ${stored.length}, errors ${JSON.stringify(stream.errors)}`);
  });
  expect(stream.items.map((i) => i.taskEvents.cursor)).toEqual(stored);
}