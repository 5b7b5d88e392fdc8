// The store's guarantees under real concurrency on real connections: claims never overlap, a
// transition that lost its race changes nothing, and event ids are in commit order.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type Database } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { createStore, TaskInWrongState, type Store } from '../src/store/index.js';
import type { NewTask, Outcome } from '../src/store/index.js';
import { describePg, freshDatabase } from './support/db.js';

const log = createLogger('silent');
const task = (kind = 'echo', extra: Partial<NewTask> = {}): NewTask => ({
  kind,
  input: null,
  priority: 0,
  runAt: null,
  maxAttempts: 3,
  timeoutSeconds: 60,
  idempotencyKey: null,
  queue: 'default',
  concurrencyKey: null,
  uniqueKey: null,
  uniqueSeconds: null,
  ...extra,
});

describePg('store', () => {
  let dbs: Database[] = [];
  let a: Store;
  let b: Store;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshDatabase();
    drop = fresh.drop;
    // Two independent pools, as two server processes would have.
    dbs = await Promise.all([1, 2].map(() => connect({ databaseUrl: fresh.url, dataDir: '', poolSize: 8, log })));
    [a, b] = dbs.map((db) => createStore(db));
  });
  afterAll(async () => {
    for (const db of dbs) await db.close();
    await drop?.();
  });

  const types = async (id: string) =>
    (await dbs[0].query<{ type: string }>(sql`SELECT type FROM task_events WHERE task_id = ${id}::bigint ORDER BY task_events.id`)).map((r) => r.type);

  it('claims in priority, then due time, then id order; nothing not yet due, no other kind', async () => {
    const past = (s: number) => new Date(Date.now() - s * 1000);
    const [low, high1, old, high2, future, other] = await a.tasks.insertTasks([
      task('ordered', { priority: -5 }),
      task('ordered', { priority: 10, runAt: past(1) }),
      task('ordered', { runAt: past(60) }),
      task('ordered', { priority: 10, runAt: past(1) }),
      task('ordered', { priority: 100, runAt: new Date(Date.now() + 3_600_000) }),
      task('not-ordered', { priority: 1000 }),
    ]);
    const fresh = await a.tasks.insertTasks([task('ordered')]);
    const claimed: string[] = [];
    for (let batch = await a.claims.claim('order-worker', ['ordered'], 2, 60); batch.length > 0; batch = await a.claims.claim('order-worker', ['ordered'], 2, 60)) {
      claimed.push(...batch.map((t) => t.id));
    }
    expect(claimed).toEqual([high1.id, high2.id, old.id, fresh[0].id, low.id]);
    expect((await a.tasks.getTask(future.id))!.status).toBe('pending');
    expect((await a.tasks.getTask(other.id))!.status).toBe('pending');
  });

  it('two claimers racing never claim the same task', async () => {
    await a.tasks.insertTasks(Array.from({ length: 600 }, () => task('race')));
    const claimedBy = async (store: Store, worker: string) => {
      const ids: string[] = [];
      const loop = async () => {
        while (true) {
          const batch = await store.claims.claim(worker, ['race'], 7, 60);
          if (batch.length === 0) return;
          ids.push(...batch.map((t) => t.id));
        }
      };
      await Promise.all([loop(), loop(), loop(), loop()]);
      return ids;
    };
    const [fromA, fromB] = await Promise.all([claimedBy(a, 'A'), claimedBy(b, 'B')]);
    const all = [...fromA, ...fromB];
    expect(all.length).toBe(600);
    expect(new Set(all).size).toBe(600);
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromB.length).toBeGreaterThan(0);
  });

  it('cancel wins over a completion that arrives later: the result is discarded', async () => {
    const [t] = await a.tasks.insertTasks([task('cvc')]);
    const [claimed] = await a.claims.claim('W', ['cvc'], 1, 60);
    expect(claimed.id).toBe(t.id);
    await b.tasks.cancelTask(t.id);
    const { applied } = await a.claims.finish('W', [{ id: t.id, attempt: 1, status: 'completed', result: 1 }]);
    expect(applied.size).toBe(0);
    expect((await a.tasks.getTask(t.id))!).toMatchObject({ status: 'cancelled', result: null });
    expect(await types(t.id)).toEqual(['created', 'started', 'cancelled']);
  });

  it('cancel and complete at the same instant: exactly one of them happens', async () => {
    const tasks = await a.tasks.insertTasks(Array.from({ length: 40 }, () => task('same-instant')));
    await a.claims.claim('W', ['same-instant'], 40, 60);
    const results = await Promise.all(
      tasks.map(async (t) => {
        const [cancel, complete] = await Promise.allSettled([
          b.tasks.cancelTask(t.id),
          a.claims.finish('W', [{ id: t.id, attempt: 1, status: 'completed', result: true }]),
        ]);
        const final = (await a.tasks.getTask(t.id))!;
        const completed = complete.status === 'fulfilled' && complete.value.applied.size === 1;
        const cancelled = cancel.status === 'fulfilled';
        return { completed, cancelled, final: final.status, events: await types(t.id) };
      }),
    );
    for (const r of results) {
      expect(r.completed !== r.cancelled).toBe(true);
      expect(r.final).toBe(r.completed ? 'completed' : 'cancelled');
      expect(r.events.filter((e) => e === 'completed' || e === 'cancelled')).toHaveLength(1);
    }
  });

  it('cancels racing a batch of outcomes for the same tasks: no error, each task ends once, either way', async () => {
    // The batch updates its rows one after another; cancels of its last rows, from another pool,
    // arrive while it is under way (at a few different moments, to meet it mid-batch).
    for (const delayMs of [0, 2, 4, 6, 8, 10, 15, 20]) {
      const tasks = await a.tasks.insertTasks(Array.from({ length: 2000 }, () => task('batch-race')));
      await a.claims.claim('B', ['batch-race'], 2000, 60);
      const victims = tasks.slice(-40).reverse();
      const finishing = a.claims.finish('B', tasks.map((t) => ({ id: t.id, attempt: 1, status: 'completed' as const, result: null })));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const [finished, ...cancels] = await Promise.allSettled([finishing, ...victims.map((t) => b.tasks.cancelTask(t.id))]);
      if (finished.status === 'rejected') throw finished.reason;
      for (const c of cancels) if (c.status === 'rejected' && !(c.reason instanceof TaskInWrongState && c.reason.status === 'completed')) throw c.reason;
      const { applied } = finished.value;
      const cancelled = victims.filter((_, i) => cancels[i].status === 'fulfilled').map((t) => t.id);
      expect(applied.size + cancelled.length).toBe(tasks.length);
      for (const id of cancelled) expect(applied.has(id)).toBe(false);
    }
  });

  it("an external worker's heartbeat racing cancels of its tasks: never an error, each cancel handed over once", async () => {
    const worker = { id: 'ext-race', name: 'ext-race', kind: 'external' as const, host: null, pid: null, kinds: ['ext-race'], concurrency: 50, leaseSeconds: 60 };
    await a.workers.register(worker);
    const tasks = await a.tasks.insertTasks(Array.from({ length: 40 }, () => task('ext-race')));
    await a.claims.claim(worker.id, ['ext-race'], 40, 60);
    const handedOver: string[] = [];
    // Cancels from one pool, newest task first; heartbeats from the other, back to back.
    let cancelling = true;
    const beats = (async () => {
      while (cancelling) handedOver.push(...(await b.workers.beatExternal(worker.id))!.cancelled);
    })();
    for (const t of [...tasks].reverse()) await a.tasks.cancelTask(t.id);
    cancelling = false;
    await beats;
    handedOver.push(...(await b.workers.beatExternal(worker.id))!.cancelled);
    expect([...handedOver].sort()).toEqual(tasks.map((t) => t.id).sort());
  });

  it('claim_tasks takes the same event lock as every other event-writing statement, defined once', async () => {
    const [{ def, key }] = await dbs[0].query<{ def: string; key: string }>(
      sql`SELECT pg_get_functiondef('claim_tasks'::regproc) AS def, task_event_lock()::text AS key`,
    );
    expect(def).toContain('pg_advisory_xact_lock(task_event_lock())');
    expect(key).toBe('7411002');
  });

  it('claim_tasks plans with table scans ruled out and keeps those plans (a CREATE OR REPLACE would drop the settings)', async () => {
    const rows = await dbs[0].query<{ setting: string }>(sql`SELECT unnest(proconfig) AS setting FROM pg_proc WHERE oid = 'claim_tasks'::regproc`);
    expect(rows.map((r) => r.setting)).toEqual(expect.arrayContaining(['enable_seqscan=off', 'enable_bitmapscan=off', 'jit=off', 'plan_cache_mode=force_generic_plan']));
  });

  it('a timeout recorded first voids the late completion of the same attempt', async () => {
    const [t] = await a.tasks.insertTasks([task('tvc')]);
    await a.claims.claim('W', ['tvc'], 1, 60);
    const timeout = { id: t.id, attempt: 1, error: { code: 'TIMEOUT', message: 'late' } };
    expect((await a.claims.finish('W', [{ ...timeout, status: 'pending', delayMs: 0 }])).applied.size).toBe(1);
    expect((await a.claims.finish('W', [{ id: t.id, attempt: 1, status: 'completed', result: 1 }])).applied.size).toBe(0);
    const after = (await a.tasks.getTask(t.id))!;
    expect(after).toMatchObject({ status: 'pending', result: null, error: { code: 'TIMEOUT' } });
  });

  it('a lease that expires hands the task to another worker; the first worker can no longer finish it', async () => {
    const [t] = await a.tasks.insertTasks([task('lease')]);
    // A lease of 0 s has expired by the next statement's now().
    await a.claims.claim('dead', ['lease'], 1, 0);
    const requeued = await b.claims.requeueExpired();
    expect(requeued.map((r) => r.id)).toContain(t.id);
    const [again] = await b.claims.claim('alive', ['lease'], 1, 60);
    expect(again).toMatchObject({ id: t.id, attempts: 2 });
    expect((await a.claims.finish('dead', [{ id: t.id, attempt: 1, status: 'completed' }])).applied.size).toBe(0);
    expect((await b.claims.finish('alive', [{ id: t.id, attempt: 2, status: 'completed', result: 'ok' }])).applied.size).toBe(1);
    expect(await types(t.id)).toEqual(['created', 'started', 'requeued', 'started', 'completed']);
  });

  it('checks every outcome of a batch against its own attempt, whether the batch shares one attempt or not', async () => {
    // x1 and x2 at their second attempt (a lease expired), y1 to y3 at their first, all held by M.
    const [x1, x2] = await a.tasks.insertTasks([task('attempts'), task('attempts')]);
    await a.claims.claim('M', ['attempts'], 2, 0);
    await b.claims.requeueExpired();
    const [y1, y2, y3] = await a.tasks.insertTasks([task('attempts'), task('attempts'), task('attempts')]);
    expect((await a.claims.claim('M', ['attempts'], 5, 60)).map((t) => t.attempts)).toEqual([2, 2, 1, 1, 1]);
    const applied = async (outcomes: Outcome[]) => [...(await a.claims.finish('M', outcomes)).applied].sort();
    const done = (id: string, attempt: number): Outcome => ({ id, attempt, status: 'completed' });
    // Plain completions of one attempt, one of them stale.
    expect(await applied([done(x1.id, 1), done(y1.id, 1)])).toEqual([y1.id]);
    // Plain completions of several attempts.
    expect(await applied([done(x1.id, 2), done(y2.id, 1)])).toEqual([x1.id, y2.id].sort());
    // Several attempts, one with a result, one stale failure.
    const failure = { code: 'E', message: 'no' };
    expect(await applied([{ ...done(x2.id, 2), result: { n: 1 } }, { id: y3.id, attempt: 2, status: 'failed', error: failure }])).toEqual([x2.id]);
    // One attempt, not a plain completion.
    expect(await applied([{ id: y3.id, attempt: 1, status: 'failed', error: failure }])).toEqual([y3.id]);
    const rows = await Promise.all([x1, x2, y1, y2, y3].map(async (t) => (await a.tasks.getTask(t.id))!));
    expect(rows.map((t) => [t.status, t.attempts, t.result, t.error?.code ?? null, t.progress])).toEqual([
      ['completed', 2, null, null, 1], ['completed', 2, { n: 1 }, null, 1], ['completed', 1, null, null, 1],
      ['completed', 1, null, null, 1], ['failed', 1, null, 'E', null],
    ]);
    expect(await types(x1.id)).toEqual(['created', 'started', 'requeued', 'started', 'completed']);
  });

  it('an expired lease on the last attempt fails the task', async () => {
    const [t] = await a.tasks.insertTasks([task('lease-last', { maxAttempts: 1 })]);
    await a.claims.claim('dead', ['lease-last'], 1, 0);
    await b.claims.requeueExpired();
    expect((await a.tasks.getTask(t.id))!).toMatchObject({ status: 'failed', error: { code: 'LEASE_EXPIRED' } });
  });

  it('event ids are in commit order: a reader that follows the tail misses nothing', async () => {
    // Writers commit concurrently on 16 connections while a reader repeatedly reads "after the
    // last id I saw". If a lower id could commit after a higher one, the reader would skip it.
    const start = await a.events.latestEventId();
    let writing = true;
    const writers = Array.from({ length: 16 }, async (_, i) => {
      const store = i % 2 ? a : b;
      for (let n = 0; n < 25; n++) await store.tasks.insertTasks([task('order'), task('order')]);
    });
    const seen: number[] = [];
    const reader = (async () => {
      let last = start;
      for (;;) {
        // Done only when a read that began after the last commit finds nothing more.
        const after = !writing;
        const page = await b.events.readEvents(last, 1000);
        for (const e of page) seen.push(e.id);
        if (page.length) last = page.at(-1)!.id;
        if (after && page.length === 0) break;
      }
    })();
    await Promise.all(writers);
    writing = false;
    await reader;
    const stored = (await a.events.readEvents(start, 100_000)).map((e) => e.id);
    expect(stored.length).toBe(800);
    expect(seen).toEqual(stored);
  });

  it('a worker paused or scaled to zero claims nothing from the moment that commits, whatever its process believes', async () => {
    await a.workers.register({ id: 'steered', name: 'steered', kind: 'external', host: null, pid: null, kinds: ['steered'], concurrency: 2, leaseSeconds: 30 });
    const [t] = await a.tasks.insertTasks([task('steered')]);
    await b.workers.steer('steered', { state: 'paused' });
    expect([...(await a.claims.claim('steered', ['steered'], 5, 30))]).toEqual([]);
    await b.workers.steer('steered', { state: 'active', concurrency: 0 });
    expect([...(await a.claims.claim('steered', ['steered'], 5, 30))]).toEqual([]);
    await b.workers.steer('steered', { concurrency: 2 });
    expect((await a.claims.claim('steered', ['steered'], 5, 30)).map((c) => c.id)).toEqual([t.id]);
  });

  it('passes text arrays as they are: quotes, commas, backslashes, newlines, tabs and unicode', async () => {
    const kinds = ['plain', 'quo"te', 'com,ma', 'back\\slash', 'new\nline', 'tab\there', '{braces}', 'NULL', ' spaced ', 'ünïcødé ✓ 漢字'];
    const registered = await a.workers.register({ id: 'odd-kinds', name: 'odd', kind: 'external', host: null, pid: null, kinds, concurrency: 20, leaseSeconds: 30 });
    expect(registered.kinds).toEqual(kinds);
    expect((await b.workers.getWorker('odd-kinds'))!.kinds).toEqual(kinds);
    expect((await b.workers.externalKinds())).toEqual(expect.arrayContaining(kinds));
    const created = await a.tasks.insertTasks(kinds.map((kind) => task(kind)));
    const claimed = await b.claims.claim('odd-kinds', kinds, 20, 30);
    expect(claimed.map((t) => t.kind).sort()).toEqual([...kinds].sort());
    expect(claimed.map((t) => t.id).sort()).toEqual(created.map((t) => t.id).sort());
  });
});
