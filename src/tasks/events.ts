// The event pump: one per process. NOTIFY says "something new" (and which types of event, never
// task data); the pump then reads the event table after the last id it has seen, in order, and
// hands each batch to everyone in-process who follows events (event-listeners.ts: subscriptions,
// the executor), or moves past events no one here follows without reading them. A lost
// notification, a failed read or a dropped LISTEN connection costs latency, never an event: the
// next notice no longer follows on from lastSeen, and it, the fallback tick and the reconnect all
// read from there. It also passes on when tasks made pending for later become due
// (TASKS_DUE_CHANNEL), to the executor's claim loop and external workers' long polls.
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { EVENTS_CHANNEL, parseDueNotice, parseEventNotice, TASKS_DUE_CHANNEL, type Store, type TaskEvent } from '../store/index.js';
import { createEventListeners } from './event-listeners.js';
import { coalesce } from '../coalesce.js';
import { createListenerSet } from '../listener-set.js';
import { retrying } from './retry.js';

export type { BatchListener, EventBatch, Interest } from './event-listeners.js';

const PAGE = 1000;

export function createEventPump(options: { db: Database; store: Store; log: Logger; pollIntervalMs: number; onNotify?: () => void }) {
  const { db, store, pollIntervalMs } = options;
  const log = options.log.child({ component: 'events' });
  const listeners = createEventListeners(log);
  const newWork = createListenerSet();
  const due = createListenerSet<[inMs: number, kind: string]>();
  let lastSeen = 0;
  /** A read is queued for the next turn of the event loop (see onNotify). */
  let readSoon = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  /** Reads pages after lastSeen until the table is exhausted; again if asked meanwhile. */
  const read = coalesce(async () => {
    if (stopped) return;
    try {
      let scanned: number;
      do {
        const epoch = listeners.epoch();
        let page = await store.events.readNext(lastSeen, PAGE, listeners.filter());
        // Someone started listening while this read was under way, with a filter that did not
        // include them: read the same range again, unfiltered, so they miss nothing.
        if (epoch !== listeners.epoch()) page = await store.events.readNext(lastSeen, PAGE, null);
        scanned = page.scanned;
        lastSeen = page.upto;
        if (page.events.length > 0) deliver(page.events);
      } while (scanned === PAGE && !stopped);
    } catch (error) {
      log.warn({ err: error }, 'reading events failed; will retry');
    }
  });

  /** The tasks of a batch are read once, for all who ask, and only if asked. */
  const deliver = (events: TaskEvent[]) =>
    listeners.deliver(events, () => retrying(() => store.tasks.getTasks([...new Set(events.map((e) => e.taskId))]), () => stopped));

  function onNotify(payload: string) {
    options.onNotify?.();
    const plan = planNotice(payload, lastSeen, read.busy() || readSoon, listeners.nobodyFollows);
    if (plan.wakes) newWork.emit();
    if (plan.read === 'no') return;
    if (plan.read === 'advance') {
      lastSeen = plan.to;
      return;
    }
    if (plan.read === 'now') return void read();
    // New work: the executor's claim goes to the database first, the read a turn later, so the
    // two do not contend for the first few hundred microseconds that decide latency.
    readSoon = true;
    setImmediate(() => {
      readSoon = false;
      void read();
    });
  }

  function tick() {
    timer = setTimeout(() => {
      void read().finally(() => stopped || tick());
    }, pollIntervalMs);
    timer.unref();
  }


  return {
    async start() {
      lastSeen = await store.events.latestEventId();
      // Back after a dropped connection: whatever was missed meanwhile is read from lastSeen.
      await db.listen(EVENTS_CHANNEL, onNotify, () => {
        newWork.emit();
        void read();
      });
      await db.listen(TASKS_DUE_CHANNEL, (payload) => parseDueNotice(payload).forEach(({ inMs, kind }) => due.emit(inMs, kind)), () => {});
      tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await read.settled();
    },
    /** Every event at or below this id has been delivered here, or was of no interest to anyone here. */
    lastSeen: () => lastSeen,
    /** Reads now instead of waiting for a notification (after this process wrote events itself). */
    poke: () => void read(),
    subscribe: listeners.subscribe,
    /** New work may be claimable. */
    onWake: newWork.add,
    /** Tasks of a kind become due in `inMs` (from the notifying statement's now(); heard after it). */
    onDue: due.add,
  };
}

export type EventPump = ReturnType<typeof createEventPump>;

export type NoticePlan = { wakes: boolean } & ({ read: 'no' | 'now' | 'next-turn' } | { read: 'advance'; to: number });

/**
 * What a notification on EVENTS_CHANNEL asks of a pump that has seen every event up to lastSeen.
 * With no read under way or queued, lastSeen is exact: a transaction whose events were read
 * already needs nothing, and one that follows on from lastSeen (nothing between was missed: no
 * lost notification, no failed read) with events no one here follows moves it on without a read.
 * Anything else reads, from lastSeen; new work a turn later, after the executor's claim.
 */
export function planNotice(payload: string, lastSeen: number, readPending: boolean, nobodyFollows: (types: string[]) => boolean): NoticePlan {
  const notice = parseEventNotice(payload);
  // 'n' alone is what servers before the notice sent for new work (a rolling upgrade).
  const wakes = notice ? notice.wake : payload === 'n';
  if (notice && !readPending) {
    if (notice.last <= lastSeen) return { wakes, read: 'no' };
    if (notice.before <= lastSeen && nobodyFollows(notice.types)) return { wakes, read: 'advance', to: notice.last };
  }
  return { wakes, read: wakes ? 'next-turn' : 'now' };
}
