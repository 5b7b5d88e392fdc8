// The database connection is cut, or silently black-holed, for 5 s while tasks run and a
// subscriber follows every event:
// everything recovers by itself, no task is lost or run twice in one attempt, the subscriber has
// every event once, and /ready says 503 during the cut and 200 after.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type Database } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import type { TaskKind } from '../src/tasks/kind.js';
import { sleep } from '../src/tasks/kind.js';
import { describePg, freshDatabase } from './support/db.js';
import { startProxy } from './support/proxy.js';
import { collect, startApp, waitFor, type TestApp } from './support/app.js';

const runs: string[] = [];
const work: TaskKind = {
  async run(input: { ms: number }, ctx) {
    runs.push(`${ctx.task.id}:${ctx.task.attempt}`);
    await sleep(input.ms, ctx.signal);
    return { ok: true };
  },
};

describePg('database faults', () => {
  let app: TestApp;
  let direct: Database;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshDatabase();
    drop = fresh.drop;
    direct = await connect({ databaseUrl: fresh.url, dataDir: '', poolSize: 2, log: createLogger('silent') });
    proxy = await startProxy({ host: '127.0.0.1', port: Number(new URL(fresh.url).port || 5432) });
    const through = new URL(fresh.url);
    through.port = String(proxy.port);
    app = await startApp(
      { DATABASE_URL: through.toString(), EXECUTOR_CONCURRENCY: '8', LEASE_SECONDS: '6', SUBSCRIPTION_BUFFER: '100000', DATABASE_PROBE_SECONDS: '1' },
      { work },
    );
  });
  afterAll(async () => {
    await app?.stop();
    await proxy?.close();
    await direct?.close();
    await drop?.();
  });

  async function survive(fault: () => void) {
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

    fault();
    await waitFor(async () => (await fetch(`${app.url}/ready`)).status === 503, 5000, '/ready to report 503');
    await new Promise((r) => setTimeout(r, 5000));
    proxy.restore();
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

  it('recovers from a 5 s cut with nothing lost and nothing run twice in one attempt', () => survive(() => proxy.cut()));

  it('detects a half-open link (packets black-holed) and recovers the same way', () => survive(() => proxy.blackhole()));
});
