// A reason to claim that arrives while a claim is in flight must not be lost: the notification of
// a task that committed after the in-flight claim took its snapshot is kept, and another claim
// follows, rather than the task waiting for the poll (here a minute away).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type Database } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { createStore, type Store } from '../src/store/index.js';
import { createEventPump } from '../src/tasks/events.js';
import { createExecutor } from '../src/tasks/executor.js';
import { createRegistry } from '../src/tasks/handlers.js';
import { describePg, freshDatabase } from './support/db.js';
import { waitFor } from './support/app.js';

describePg('executor wake-ups', () => {
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

  it('a task created while a claim is in flight is claimed when that claim returns', async () => {
    const log = createLogger('silent');
    const pump = createEventPump({ db, store, log, pollIntervalMs: 60_000 });
    await pump.start();
    const started: string[] = [];
    const executor = createExecutor({
      store, pump, log, registry: createRegistry({ mark: { run: (_input, ctx) => void started.push(ctx.task.id) } }),
      concurrency: 4, leaseSeconds: 30, pollIntervalMs: 60_000, retryBackoffMs: 1000, retryBackoffMaxMs: 60_000, maxPayloadBytes: 1 << 20,
    });
    executor.start();
    // The next claim runs at once but its answer is held back while the task is created.
    const claim = store.claims.claim.bind(store.claims);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inFlight!: () => void;
    const claimed = new Promise<void>((resolve) => (inFlight = resolve));
    let first = true;
    store.claims.claim = async (...args) => {
      const result = await claim(...args);
      if (first) {
        first = false;
        inFlight();
        await held;
      }
      return result;
    };
    executor.setConcurrency(5);
    await claimed;
    let woken = false;
    const stopWatching = pump.onWake(() => (woken = true));
    const [task] = await store.tasks.insertTasks([{ kind: 'mark', input: null, priority: 0, runAt: null, maxAttempts: 1, timeoutSeconds: 60, idempotencyKey: null, queue: 'default', concurrencyKey: null, uniqueKey: null, uniqueSeconds: null }]);
    // Its notification reaches the executor while the claim is still held.
    await waitFor(async () => woken, 5_000, 'the notification of the new task');
    stopWatching();
    expect(started).toEqual([]);
    release();
    await waitFor(async () => started.includes(task.id), 5_000, 'the task to start without waiting for the poll');
    await executor.stop(1000);
    await pump.stop();
  });
});
