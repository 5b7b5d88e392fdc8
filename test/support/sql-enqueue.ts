// What the create_task tests read, over a connection of their own to the app's database and its
// GraphQL API: a task as the API shows it, its rows and events, the totals, the staged intents,
// and a transaction left open until the test commits it.
import type postgres from 'postgres';
import { afterAll, beforeAll, expect } from 'vitest';
import { connectionTo, waitFor, type TestApp } from './app.js';

const TASK = `query($id: ID!) { task(id: $id) { id kind input status queue priority maxAttempts timeoutSeconds runAt
  concurrencyKey idempotencyKey uniqueKey uniqueUntil waitingFor result attempts } }`;

export function sqlEnqueueHelpers(app: TestApp) {
  let client!: postgres.Sql;
  beforeAll(async () => {
    client = await connectionTo(app);
  });
  afterAll(async () => {
    await client?.end();
  });

  const ok = async (query: string, variables: Record<string, unknown>) => {
    const { data, errors } = await app.gql(query, variables);
    expect(errors).toBeUndefined();
    return data;
  };
  const task = async (id: string) => (await ok(TASK, { id })).task;
  const statusOf = async (id: string) => (await task(id))?.status;
  return {
    /** The test's own connection, open from beforeAll. */
    client: () => client,
    ok,
    task,
    statusOf,
    completed: (id: string) => waitFor(async () => (await statusOf(id)) === 'COMPLETED', 15_000, `task ${id} to complete`),
    rows: async (id: string) =>
      (await client<{ tasks: number; events: number }[]>`
        SELECT (SELECT count(*)::int FROM tasks WHERE id = ${id}) AS tasks, (SELECT count(*)::int FROM task_events WHERE task_id = ${id}) AS events`)[0],
    totals: async () =>
      (await client<{ tasks: number; events: number; queues: number }[]>`
        SELECT (SELECT count(*)::int FROM tasks) AS tasks, (SELECT count(*)::int FROM task_events) AS events,
          (SELECT count(*)::int FROM queues) AS queues`)[0],
    eventsOf: (id: string) =>
      client<{ id: string; type: string; status: string; data: Record<string, unknown> | null; at: Date }[]>`
        SELECT id::text, type, status::text, data, at FROM task_events WHERE task_id = ${id} ORDER BY task_events.id`,
    /** The staged intents left in the table: none outlives its transaction. */
    intents: async () => (await client<{ n: number }[]>`SELECT count(*)::int AS n FROM task_intents`)[0].n,
    /** A transaction on a connection of its own, left open until the test commits it. */
    open: async () => {
      const sql = await connectionTo(app);
      await sql`BEGIN`;
      return {
        sql,
        stage: async (input: postgres.JSONValue, options: postgres.JSONValue = {}) =>
          (await sql<{ id: string }[]>`SELECT create_task('echo', ${sql.json(input)}, ${sql.json(options)}) AS id`)[0].id,
      };
    },
  };
}
