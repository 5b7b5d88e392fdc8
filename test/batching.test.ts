// Outcomes are recorded in batches. A batch the database refuses half-way (here a trigger refuses
// one task's result) must lose nothing and record nothing twice: the others complete exactly
// once, and the refused one fails with a clear code instead of blocking the rest forever.
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { describePg } from './support/db.js';
import { appForFile, waitFor } from './support/app.js';

describePg('batched outcomes', () => {
  // Concurrency 0 first: every task is claimed and finished together, in shared batches.
  const app = appForFile({ EXECUTOR_CONCURRENCY: '0', EXECUTOR_PREFETCH: '100' });
  beforeAll(async () => {
    await app.db.query(sql.raw(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.result ->> 'poison' = 'yes' THEN RAISE EXCEPTION 'poisoned result' USING ERRCODE = '22023'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_poison BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION refuse_poison();`));
  });

  it('records every other outcome exactly once and fails the refused one', async () => {
    const inputs = Array.from({ length: 60 }, (_, i) => ({ kind: 'echo', input: i === 37 ? { poison: 'yes' } : { n: i } }));
    const { data } = await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, { inputs });
    const ids: string[] = data.createTasks.tasks.map((t: { id: string }) => t.id);
    const steer = await app.gql(`mutation($id: ID!) { setWorkerConcurrency(id: $id, concurrency: 60) { concurrency } }`, { id: app.executor.workerId });
    expect(steer.data.setWorkerConcurrency.concurrency).toBe(60);
    await waitFor(async () => {
      const [{ n }] = await app.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks WHERE status IN ('pending', 'running')`);
      return n === 0;
    }, 20_000, 'every task to finish');
    const rows = await app.db.query<{ id: string; status: string; error: { code: string } | null; completed: number; failed: number }>(sql`
      SELECT t.id::text AS id, t.status::text AS status, t.error,
        (SELECT count(*)::int FROM task_events e WHERE e.task_id = t.id AND e.type = 'completed') AS completed,
        (SELECT count(*)::int FROM task_events e WHERE e.task_id = t.id AND e.type = 'failed') AS failed
      FROM tasks t ORDER BY t.id`);
    expect(rows.map((r) => r.id)).toEqual(ids);
    const poison = rows[37];
    expect(poison).toMatchObject({ status: 'failed', error: { code: 'OUTCOME_NOT_STORED' }, completed: 0, failed: 1 });
    const others = rows.filter((_, i) => i !== 37);
    expect(others.every((r) => r.status === 'completed' && r.completed === 1 && r.failed === 0)).toBe(true);
  });
});
