// The event pump reads only what its listeners follow. A listener that joins while a read with
// the old filter is under way must still get every event after it joined.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type Database } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { createStore, type Store } from '../src/store/index.js';
import { createEventPump } from '../src/tasks/events.js';
import { describePg, freshDatabase } from './support/db.js';

describePg('event pump', () => {
  let db: Database;
  let store: Store;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshDatabase();
    drop = fresh.drop;
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
    const task = { kind: 'echo', input: null, priority: 0, runAt: null, maxAttempts: 1, timeoutSeconds: 60, idempotencyKey: null };
    await store.tasks.createTasks([task, task, task]);
    // The read starts now, filtered to 'cancelled'; the broad listener joins before it returns.
    pump.poke();
    const all: number[] = [];
    pump.subscribe((batch) => all.push(...batch.events.map((e) => e.id)));
    await pump.stop();
    expect(all).toEqual([1, 2, 3]);
    expect(cancelled).toEqual([]);
  });
});
