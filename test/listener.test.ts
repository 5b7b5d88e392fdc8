// The LISTEN connection is cut while tasks keep changing: the pump reconnects by itself, a
// subscriber misses nothing, and /ready says 503 only while the listener is down.
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePg, freshDatabase, postgresUrl } from './support/db.js';
import { collect, startApp, waitFor, type TestApp } from './support/app.js';

describePg('listener connection loss', () => {
  let app: TestApp;
  let drop: () => Promise<void>;
  let dbName: string;
  beforeAll(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    dbName = new URL(db.url).pathname.slice(1);
    app = await startApp({ DATABASE_URL: db.url, EXECUTOR_CONCURRENCY: '4' });
  });
  afterAll(async () => {
    await app?.stop();
    await drop?.();
  });

  it('recovers by itself and the stream has every event once', async () => {
    const admin = postgres(postgresUrl!, { max: 1, onnotice: () => {} });
    const listeners = () =>
      admin`SELECT pid FROM pg_stat_activity WHERE datname = ${dbName} AND application_name = 'task-executor-listen'`;
    const before = await listeners();
    expect(before.length).toBe(1);

    const stream = collect(app.ws(), `subscription { taskEvents(after: "0") { cursor type } }`, {}, (items) =>
      items.some((i) => i.taskEvents.type === 'completed' && i.taskEvents.cursor === 'never'),
    );
    const create = () => app.gql(`mutation { createTasks(inputs: [{ kind: "echo" }, { kind: "echo" }, { kind: "sleep", input: { ms: 50 } }]) { tasks { id } } }`);
    await create();
    await admin`SELECT pg_terminate_backend(${before[0].pid})`;
    // While it is down (or reconnecting), tasks keep being created and run.
    for (let i = 0; i < 5; i++) await create();
    await waitFor(async () => {
      const now = await listeners();
      return now.length === 1 && now[0].pid !== before[0].pid;
    }, 15_000, 'the listener to reconnect');
    await waitFor(async () => (await fetch(`${app.url}/ready`)).status === 200, 10_000, '/ready');
    for (let i = 0; i < 3; i++) await create();
    await waitFor(async () => {
      const [{ n }] = await app.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks WHERE status <> 'completed'`);
      return n === 0;
    }, 20_000, 'all tasks to complete');
    const total = (await app.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM task_events`))[0].n;
    await waitFor(async () => stream.items.length >= total, 10_000, 'the stream to catch up');
    const cursors = stream.items.map((i) => Number(i.taskEvents.cursor));
    const stored = (await app.db.query<{ id: string }>(sql`SELECT id::text AS id FROM task_events ORDER BY task_events.id`)).map((r) => Number(r.id));
    expect(cursors).toEqual(stored);
    await admin.end();
  });

  it('reports 503 on /ready while the listener is down', async () => {
    const admin = postgres(postgresUrl!, { max: 1, onnotice: () => {} });
    // Refuse new connections to this database for a moment, then cut the listener.
    await admin.unsafe(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`);
    try {
      const [listener] = await admin`SELECT pid FROM pg_stat_activity WHERE datname = ${dbName} AND application_name = 'task-executor-listen'`;
      await admin`SELECT pg_terminate_backend(${listener.pid})`;
      await waitFor(async () => (await fetch(`${app.url}/ready`)).status === 503, 5000, '/ready to say 503');
    } finally {
      await admin.unsafe(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
    }
    await waitFor(async () => (await fetch(`${app.url}/ready`)).status === 200, 15_000, '/ready to say 200 again');
    await admin.end();
  });
});
