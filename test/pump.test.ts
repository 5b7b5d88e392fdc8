// The event pump reads only what its listeners follow, and skips reading at all after a transaction
// whose event types no one here follows. A listener that joins while a read with the old filter is
// under way must still get every event after it joined; skipping must never lose one.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type Database } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { createStore, type Store } from '../src/store/index.js';
import { createEventPump } from '../src/tasks/events.js';
import { describePg, freshDatabase } from './support/db.js';

const task = { kind: 'echo', input: null, priority: 0, runAt: null, maxAttempts: 1, timeoutSeconds: 60, idempotencyKey: null, queue: 'default', concurrencyKey: null, uniqueKey: null, uniqueSeconds: null };
const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

describePg('event pump', () => {
  let db: Database;
  let store: Store;
  let drop: () => Promise<void>;
  let url: string;
  beforeAll(async () => {
    const fresh = await freshDatabase();
    drop = fresh.drop;
    url = fresh.url;
    db = await connect({ databaseUrl: fresh.url, dataDir: '', poolSize: 4, log: createLogger('silent') });
    store = createStore(db);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it('a listener added during a filtered read still gets every event', async () => {
    const log = createLogger('silent');
    const pump = createEventPump({ db, store, log, pollIntervalMs: 60_000 });
    const cancelled: string[] = [];
    pump.subscribe((batch) => cancelled.push(...batch.events.map((e) => e.type)), { types: ['cancelled'] });
    await store.tasks.insertTasks([task, task, task]);
    // The read starts now, filtered to 'cancelled'; the broad listener joins before it returns.
    pump.poke();
    const all: number[] = [];
    pump.subscribe((batch) => all.push(...batch.events.map((e) => e.id)));
    await pump.stop();
    expect(all).toEqual([1, 2, 3]);
    expect(cancelled).toEqual([]);
  });

  it('moves past transactions whose events no one here follows without reading the table', async () => {
    const log = createLogger('silent');
    const counted = createStore(db);
    let reads = 0;
    let reading = 0;
    const readNext = counted.events.readNext;
    counted.events.readNext = async (...args) => {
      reads++;
      reading++;
      try {
        return await readNext(...args);
      } finally {
        reading--;
      }
    };
    const pump = createEventPump({ db, store: counted, log, pollIntervalMs: 60_000 });
    const cancelled: string[] = [];
    pump.subscribe((batch) => cancelled.push(...batch.events.map((e) => e.taskId)), { types: ['cancelled'] });
    await pump.start();
    // Starting reads once, for what came before the LISTEN.
    await until(() => reads === 1 && reading === 0);
    reads = 0;
    await store.tasks.insertTasks([task]);
    const [second] = await store.tasks.insertTasks([task]);
    // Each notice follows on from the last and names only 'created': the cursor moves to the
    // second task's event without a read.
    const [created] = await store.events.readEvents(0, 1, second.id);
    await until(() => pump.lastSeen() === created.id);
    expect(pump.lastSeen()).toBe(created.id);
    expect(reads).toBe(0);
    await store.tasks.cancelTask(second.id);
    await until(() => cancelled.length > 0);
    expect(cancelled).toEqual([second.id]);
    expect(reads).toBe(1);
    await pump.stop();
  });

  it('a notice names the types its statement wrote, not those it might have: completions are moved past unread', async () => {
    const log = createLogger('silent');
    const counted = createStore(db);
    let reads = 0;
    const readNext = counted.events.readNext;
    counted.events.readNext = (...args) => {
      reads++;
      return readNext(...args);
    };
    const pump = createEventPump({ db, store: counted, log, pollIntervalMs: 60_000 });
    // As the executor does: it follows cancellations, which an outcome may write (a dependent
    // cancelled by a failed dependency) but these do not.
    pump.subscribe(() => {}, { types: ['cancelled'] });
    await pump.start();
    await until(() => reads === 1);
    await store.tasks.insertTasks([task, task, task]);
    const claimed = await store.claims.claim('w-notice', ['echo'], 3, 30);
    await store.claims.finish('w-notice', claimed.map((c) => ({ id: c.id, attempt: c.attempts, status: 'completed' as const })));
    const latest = await store.events.latestEventId();
    await until(() => pump.lastSeen() === latest);
    expect(pump.lastSeen()).toBe(latest);
    expect(reads).toBe(1);
    await pump.stop();
  });

  it('after a failed read, the next notice no one follows reads instead of skipping: nothing is lost', async () => {
    const log = createLogger('silent');
    const failing = createStore(db);
    const readNext = failing.events.readNext.bind(failing.events);
    let fail = false;
    failing.events.readNext = (...args) => {
      if (!fail) return readNext(...args);
      fail = false;
      return Promise.reject(new Error('connection lost'));
    };
    const pump = createEventPump({ db, store: failing, log, pollIntervalMs: 60_000 });
    const cancelled: string[] = [];
    pump.subscribe((batch) => cancelled.push(...batch.events.map((e) => e.taskId)), { types: ['cancelled'] });
    await pump.start();
    const [victim] = await store.tasks.insertTasks([task]);
    const [created] = await store.events.readEvents(0, 1, victim.id);
    await until(() => pump.lastSeen() === created.id);
    fail = true;
    await store.tasks.cancelTask(victim.id);
    await until(() => !fail);
    // Its read failed; the poll is a minute away. A notice of events no one here follows must
    // not carry the cursor past the cancellation.
    await store.tasks.insertTasks([task]);
    await until(() => cancelled.length > 0);
    expect(cancelled).toEqual([victim.id]);
    await pump.stop();
  });

  it('a bare wake-up from a server of the previous version still wakes the executor and reads', async () => {
    const log = createLogger('silent');
    const pump = createEventPump({ db, store, log, pollIntervalMs: 60_000 });
    const seen: number[] = [];
    pump.subscribe((batch) => seen.push(...batch.events.map((e) => e.id)), { types: ['created'] });
    let woken = 0;
    pump.onWake(() => void woken++);
    await pump.start();
    await until(() => woken > 0);
    woken = 0;
    // What an older server's createTask left behind: the row and its event, then NOTIFY 'n'.
    const [row] = await db.query<{ id: string }>(sql`INSERT INTO tasks (kind) VALUES ('echo') RETURNING id::text AS id`);
    const [event] = await db.query<{ id: number }>(sql`INSERT INTO task_events (task_id, type, status) VALUES (${row.id}::bigint, 'created', 'pending') RETURNING id::int AS id`);
    await db.query(sql`SELECT pg_notify('task_events', 'n')`);
    await until(() => seen.includes(event.id));
    expect(woken).toBe(1);
    expect(seen).toContain(event.id);
    await pump.stop();
  });

  it('skipping never loses or repeats an event someone follows, with writers in other processes', async () => {
    const log = createLogger('silent');
    const pump = createEventPump({ db, store, log, pollIntervalMs: 60_000 });
    const seen: number[] = [];
    pump.subscribe((batch) => seen.push(...batch.events.map((e) => e.id)), { types: ['created', 'cancelled'] });
    await pump.start();
    const from = pump.lastSeen();
    const writers = await Promise.all([1, 2].map(() => connect({ databaseUrl: url, dataDir: '', poolSize: 4, log })));
    try {
      // Four concurrent loops on two other pools: creations, claims with outcomes, and
      // cancellations interleave, so notices nobody follows arrive between ones that matter.
      await Promise.all(
        writers.flatMap((writer, w) => {
          const other = createStore(writer);
          return [0, 1].map(async (loop) => {
            for (let round = 0; round < 15; round++) {
              const created = await other.tasks.insertTasks([task, task, task]);
              const claimed = await other.claims.claim(`w${w}${loop}`, ['echo'], 2, 30);
              await other.claims.finish(
                `w${w}${loop}`,
                claimed.map((c) => ({ id: c.id, attempt: c.attempts, status: 'failed' as const, error: { code: 'E', message: 'x' } })),
              );
              await other.tasks.cancelTask(created[2].id).catch(() => {});
            }
          });
        }),
      );
    } finally {
      for (const writer of writers) await writer.close();
    }
    const latest = await store.events.latestEventId();
    pump.poke();
    await until(() => pump.lastSeen() === latest);
    await pump.stop();
    const expected = (await store.events.readEvents(from, 100_000)).filter((e) => e.type === 'created' || e.type === 'cancelled');
    expect(expected.length).toBeGreaterThan(60);
    expect(seen).toEqual(expected.map((e) => e.id));
  });
});
