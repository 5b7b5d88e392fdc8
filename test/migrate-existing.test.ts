// The migrations on a database that already holds work: 100,000 tasks and their events written
// under the schema of drizzle/0007 (before dependencies and flows), then every later migration
// applied. Every task, count and event cursor must still be valid, and the old tasks must take
// part in the new features.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, expect, it } from 'vitest';
import { connect, type Database } from '../src/db/client.js';
import { migrate, migrationsFolder } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { createStore } from '../src/store/index.js';
import { describePg, postgresUrl } from './support/db.js';

/** The migrations folder as it stood at migration `last` (0-based): the same files, a shorter journal. */
function folderUpTo(last: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
  journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= last);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

describePg('migrating a database with data in it', () => {
  const name = `task_executor_migrate_${process.pid}`;
  let db: Database | undefined;
  let folder: string | undefined;
  afterAll(async () => {
    await db?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
    const admin = postgres(postgresUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('keeps 100,000 tasks of the previous schema, their counts and their cursors valid', { timeout: 120_000 }, async () => {
    const admin = postgres(postgresUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(postgresUrl!);
    url.pathname = `/${name}`;
    db = await connect({ databaseUrl: url.toString(), dataDir: '', poolSize: 4, log: createLogger('silent') });
    folder = folderUpTo(7);
    await db.applyMigrations(folder);

    // Work as the previous schema held it: finished, failed, pending and running tasks, three events each.
    await db.query(sql`
      INSERT INTO tasks (kind, status, attempts, started_at, finished_at, worker_id, lease_expires_at, result)
      SELECT CASE WHEN g % 10 = 0 THEN 'fail' ELSE 'echo' END,
        (ARRAY['completed', 'failed', 'pending', 'running'])[1 + g % 4]::task_status,
        CASE WHEN g % 4 = 2 THEN 0 ELSE 1 END,
        CASE WHEN g % 4 <> 2 THEN now() END, CASE WHEN g % 4 < 2 THEN now() END,
        CASE WHEN g % 4 = 3 THEN 'gone-worker' END, CASE WHEN g % 4 = 3 THEN now() - interval '1 minute' END,
        CASE WHEN g % 4 = 0 THEN to_jsonb(g) END
      FROM generate_series(1, 100000) AS g`);
    await db.query(sql`
      INSERT INTO task_events (task_id, type, status, data)
      SELECT t.id, e.type, e.status::task_status, NULL FROM tasks t,
        LATERAL (VALUES ('created', 'pending'), ('started', 'running'), (t.status::text, t.status::text)) AS e (type, status)
      ORDER BY t.id`);
    const before = await db.query<{ status: string; n: number }>(sql`SELECT status::text AS status, count(*)::int AS n FROM tasks GROUP BY 1 ORDER BY 1`);
    const [{ cursor }] = await db.query<{ cursor: number }>(sql`SELECT (max(id) - 1000)::float8 AS cursor FROM task_events`);

    await migrate(db);

    const store = createStore(db);
    // Every task is still there, in the same status; the counters agree with the table.
    expect(await db.query(sql`SELECT status::text AS status, count(*)::int AS n FROM tasks GROUP BY 1 ORDER BY 1`)).toEqual(before);
    const counts = await db.query<{ status: string; n: number }>(sql`SELECT status::text AS status, sum(n)::int AS n FROM task_counts WHERE n <> 0 GROUP BY 1 ORDER BY 1`);
    expect(counts).toEqual(before);
    expect(await db.query(sql`SELECT count(*)::int AS n FROM tasks WHERE depends_on IS NOT NULL OR dependencies_left <> 0 OR has_dependents OR flow_id IS NOT NULL`)).toEqual([{ n: 0 }]);
    // A cursor taken before the migration resumes with exactly the events after it.
    const after = await store.events.readEvents(cursor, 5000);
    expect(after).toHaveLength(1000);
    expect(after[0].id).toBe(cursor + 1);

    // Old tasks take part in the new features: a dependent of an old completed task is pending at
    // once, one of an old failed task is cancelled, one of an old running task waits for it.
    const [completed, failed, running] = await Promise.all(
      ['completed', 'failed', 'running'].map(async (status) => (await db!.query<{ id: string }>(sql`SELECT id::text AS id FROM tasks WHERE status = ${status}::task_status LIMIT 1`))[0].id),
    );
    const graph = (dependsOn: string[]) => ({
      kind: 'echo', input: null, priority: 0, runAt: null, maxAttempts: 3, timeoutSeconds: 60, queue: 'default', concurrencyKey: null,
      dependsOn, after: [], runIfDependenciesFail: false,
    });
    const [onCompleted, onFailed, onRunning] = await store.tasks.insertGraph([graph([completed]), graph([failed]), graph([running])]);
    expect([onCompleted.status, onFailed.status, onRunning.status]).toEqual(['pending', 'cancelled', 'waiting']);
    // The old running task whose worker is gone is requeued by the lease sweep, as before.
    const requeued = await store.claims.requeueExpired(100_000);
    expect(requeued.length).toBe(25_000);
    const [{ n }] = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks WHERE status = 'running'`);
    expect(n).toBe(0);
  });
});
