// Old events are pruned in batches, a cursor into the pruned range is refused as expired, and
// finished tasks past TASK_RETENTION are deleted while unfinished ones stay.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { keepRetention } from '../src/tasks/retention.js';
import { describePg } from './support/db.js';
import { appForFile, collect } from './support/app.js';

describePg('retention', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '0' });
  const n = async (query: ReturnType<typeof sql>) => (await app.db.query<{ n: number }>(query))[0].n;

  it('prunes old events in batches and refuses an expired cursor', async () => {
    const inputs = Array.from({ length: 1600 }, () => ({ kind: 'echo' }));
    await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, { inputs });
    const [{ max }] = await app.db.query<{ max: number }>(sql`SELECT max(id)::int AS max FROM task_events`);
    await app.db.query(sql`UPDATE task_events SET at = now() - interval '8 days' WHERE id <= ${max}`);
    await app.gql(`mutation { createTask(input: { kind: "echo" }) { task { id } } }`);

    const retention = keepRetention({ store: app.store, log: createLogger('silent'), eventRetentionSeconds: 7 * 86_400, taskRetentionSeconds: undefined, intervalMs: 3_600_000 });
    const pruned = await retention.runOnce();
    retention.stop();
    expect(pruned.events).toBe(1600);
    expect(await n(sql`SELECT count(*)::int AS n FROM task_events`)).toBe(1);
    expect(await app.store.retention.prunedThrough()).toBe(max);
    expect(await n(sql`SELECT count(*)::int AS n FROM tasks`)).toBe(1601);

    const expired = collect(app.ws(), `subscription { taskEvents(after: "5") { cursor } }`, {});
    await expired.finished;
    expect(JSON.stringify(expired.errors)).toContain('CURSOR_EXPIRED');
    const fromStart = await collect(app.ws(), `subscription { taskEvents(after: "0") { cursor type } }`, {}, (items) => items.length >= 1).finished;
    expect(Number(fromStart[0].taskEvents.cursor)).toBe(max + 1);
  });

  it('deletes finished tasks past TASK_RETENTION and keeps the rest', async () => {
    await app.db.query(sql`UPDATE tasks SET status = 'completed', finished_at = now() - interval '40 days' WHERE id <= 1000`);
    await app.db.query(sql`UPDATE tasks SET status = 'failed', finished_at = now() - interval '1 day' WHERE id > 1000 AND id <= 1100`);
    const retention = keepRetention({ store: app.store, log: createLogger('silent'), eventRetentionSeconds: 7 * 86_400, taskRetentionSeconds: 30 * 86_400, intervalMs: 3_600_000 });
    const pruned = await retention.runOnce();
    retention.stop();
    expect(pruned.tasks).toBe(1000);
    expect(await n(sql`SELECT count(*)::int AS n FROM tasks`)).toBe(601);
    expect(await n(sql`SELECT count(*)::int AS n FROM tasks WHERE status = 'pending'`)).toBe(501);
  });

  it('validates the retention settings', () => {
    expect(loadConfig({ EVENT_RETENTION: '12h' }).eventRetentionSeconds).toBe(43_200);
    expect(() => loadConfig({ EVENT_RETENTION: 'forever' })).toThrow('EVENT_RETENTION');
    expect(() => loadConfig({ EVENT_RETENTION: '7d', TASK_RETENTION: '1d' })).toThrow('TASK_RETENTION');
  });

  it('prunes events only up to the first one still kept, reading no more than a batch for it', async () => {
    await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, { inputs: Array.from({ length: 30 }, () => ({ kind: 'echo' })) });
    const ids = (await app.db.query<{ id: number }>(sql`SELECT id::int AS id FROM task_events ORDER BY id DESC LIMIT 30`)).map((r) => r.id).reverse();
    // Old, except the eleventh: a long transaction's event can be newer than one committed after it.
    await app.db.query(sql`UPDATE task_events SET at = now() - interval '8 days' WHERE id <> ${ids[10]}`);
    const before = await n(sql`SELECT count(*)::int AS n FROM task_events`);
    const below = await n(sql`SELECT count(*)::int AS n FROM task_events WHERE id < ${ids[10]}`);
    expect(below).toBeGreaterThanOrEqual(10);
    expect(await app.store.retention.pruneEvents(7 * 86_400, 1000)).toBe(below);
    expect(await n(sql`SELECT count(*)::int AS n FROM task_events`)).toBe(before - below);
    expect(await app.store.retention.prunedThrough()).toBe(ids[9]);
    // Nothing old at the low end: a batch that deletes nothing.
    expect(await app.store.retention.pruneEvents(7 * 86_400, 1000)).toBe(0);
  });
});
