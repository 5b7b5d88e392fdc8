// The event pump: one per process. NOTIFY says "something new" (and which types of event, never
// task data); the pump then reads the event table after the last id it has seen, in order, and
// hands each batch to everyone in-process who follows events (subscriptions, the executor), or
// moves past events no one here follows without reading them. A lost notification, a failed read
// or a dropped LISTEN connection costs latency, never an event: the next notice no longer follows
// on from last_seen, and it, the fallback tick and the reconnect all read from there. It also
// passes on when tasks made pending for later become due (TASKS_DUE_CHANNEL), to the executor's
// claim loop and external workers' long polls.
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { EVENTS_CHANNEL, parseDueNotice, parseEventNotice, TASKS_DUE_CHANNEL, type EventFilter, type Store, type Task, type TaskEvent } from '../store/index.js';
import { retrying } from './retry.js';

export interface EventBatch {
  readonly events: readonly TaskEvent[];
  /** The current rows of the batch's tasks, read once per batch for all who ask, and only if asked. */
  tasks(): Promise<Map<string, Task>>;
}

export type BatchListener = (batch: EventBatch) => void;

/** What a listener follows: events of these types, or of this task; everything when absent. */
export interface Interest {
  types?: string[];
  taskId?: string;
}

const PAGE = 1000;
/** Past this many followed tasks, reading every event is cheaper than sending the id list. */
const MAX_FILTERED_TASKS = 500;

export function createEventPump(options: { db: Database; store: Store; log: Logger; pollIntervalMs: number; onNotify?: () => void }) {
  const { db, store, pollIntervalMs } = options;
  const log = options.log.child({ component: 'events' });
  // Listeners to many tasks (by type, or everything) see each batch; listeners to one task are
  // found by its id, so ten thousand followers of single tasks cost a lookup per event, not a
  // scan of every follower.
  const broad = new Map<BatchListener, Interest | undefined>();
  const byTask = new Map<string, Set<BatchListener>>();
  const wakeListeners = new Set<() => void>();
  const dueListeners = new Set<(inMs: number, kind: string) => void>();
  let lastSeen = 0;
  /** Bumped by every new listener: a read begun before it used a filter that may not cover it. */
  let listenerEpoch = 0;
  let reading: Promise<void> | undefined;
  /** A read is queued for the next turn of the event loop (see onNotify). */
  let readSoon = false;
  let readAgain = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function read(): Promise<void> {
    if (reading) {
      readAgain = true;
      return reading;
    }
    reading = (async () => {
      try {
        do {
          readAgain = false;
          let scanned: number;
          do {
            const epoch = listenerEpoch;
            let page = await store.events.readNext(lastSeen, PAGE, filter());
            // Someone started listening while this read was under way, with a filter that did not
            // include them: read the same range again, unfiltered, so they miss nothing.
            if (epoch !== listenerEpoch) page = await store.events.readNext(lastSeen, PAGE, null);
            scanned = page.scanned;
            lastSeen = page.upto;
            if (page.events.length > 0) deliver(page.events);
          } while (scanned === PAGE && !stopped);
        } while (readAgain && !stopped);
      } catch (error) {
        log.warn({ err: error }, 'reading events failed; will retry');
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  }

  /** The union of what listeners follow: null means someone follows everything. */
  function filter(): EventFilter | null {
    const types = new Set<string>();
    for (const interest of broad.values()) {
      if (!interest?.types) return null;
      for (const type of interest.types) types.add(type);
    }
    if (byTask.size > MAX_FILTERED_TASKS) return null;
    return { types: [...types], taskIds: [...byTask.keys()] };
  }

  /**
   * Whether events of these types matter to no one here. Followers of single tasks may care about
   * any type (a notice does not name tasks), so with any of them every notification is read.
   */
  function nobodyFollows(types: string[]): boolean {
    const followed = filter();
    return followed !== null && followed.taskIds.length === 0 && !types.some((type) => followed.types.includes(type));
  }

  function onNotify(payload: string) {
    options.onNotify?.();
    const notice = parseEventNotice(payload);
    // 'n' alone is what servers before the notice sent for new work (a rolling upgrade).
    const wakes = notice ? notice.wake : payload === 'n';
    if (wakes) for (const wake of wakeListeners) wake();
    // With no read under way or queued, lastSeen is exact: a transaction whose events were read
    // already needs nothing, and one that follows on from lastSeen (nothing between was missed:
    // no lost notification, no failed read) with events no one here follows moves it on without
    // a read. Anything else reads, from lastSeen.
    if (notice && !reading && !readSoon) {
      if (notice.last <= lastSeen) return;
      if (notice.before <= lastSeen && nobodyFollows(notice.types)) {
        lastSeen = notice.last;
        return;
      }
    }
    if (wakes) {
      // New work: the executor's claim goes to the database first, the read a turn later, so
      // the two do not contend for the first few hundred microseconds that decide latency.
      readSoon = true;
      setImmediate(() => {
        readSoon = false;
        void read();
      });
    } else {
      void read();
    }
  }

  function deliver(events: TaskEvent[]) {
    let loaded: Promise<Map<string, Task>> | undefined;
    const batch: EventBatch = {
      events,
      tasks: () => (loaded ??= retrying(() => store.tasks.getTasks([...new Set(events.map((e) => e.taskId))]), () => stopped)),
    };
    for (const [listener, interest] of broad) {
      if (!interest?.types) {
        call(listener, batch);
        continue;
      }
      const types = interest.types;
      const matching = events.filter((e) => types.includes(e.type));
      if (matching.length > 0) call(listener, { events: matching, tasks: batch.tasks });
    }
    if (byTask.size === 0) return;
    const perTask = new Map<string, TaskEvent[]>();
    for (const event of events) {
      if (!byTask.has(event.taskId)) continue;
      const list = perTask.get(event.taskId);
      if (list) list.push(event);
      else perTask.set(event.taskId, [event]);
    }
    for (const [taskId, taskEvents] of perTask) {
      const sub: EventBatch = { events: taskEvents, tasks: batch.tasks };
      for (const listener of byTask.get(taskId) ?? []) call(listener, sub);
    }
  }

  function call(listener: BatchListener, batch: EventBatch) {
    try {
      listener(batch);
    } catch (error) {
      log.error({ err: error }, 'event listener threw');
    }
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
      await db.listen(
        EVENTS_CHANNEL,
        onNotify,
        () => {
          for (const wake of wakeListeners) wake();
          void read();
        },
      );
      await db.listen(
        TASKS_DUE_CHANNEL,
        (payload) => {
          for (const { inMs, kind } of parseDueNotice(payload)) for (const due of dueListeners) due(inMs, kind);
        },
        () => {},
      );
      tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await reading;
    },
    /** Every event at or below this id has been delivered here, or was of no interest to anyone here. */
    lastSeen: () => lastSeen,
    /** Reads now instead of waiting for a notification (after this process wrote events itself). */
    poke: () => void read(),
    subscribe(listener: BatchListener, interest?: Interest): () => void {
      listenerEpoch++;
      const taskId = interest?.taskId;
      if (taskId === undefined) {
        broad.set(listener, interest);
        return () => broad.delete(listener);
      }
      const set = byTask.get(taskId) ?? new Set();
      byTask.set(taskId, set.add(listener));
      return () => {
        set.delete(listener);
        if (set.size === 0 && byTask.get(taskId) === set) byTask.delete(taskId);
      };
    },
    onWake(listener: () => void): () => void {
      wakeListeners.add(listener);
      return () => wakeListeners.delete(listener);
    },
    /** Tasks of a kind become due in `inMs` (from the notifying statement's now(); heard after it). */
    onDue(listener: (inMs: number, kind: string) => void): () => void {
      dueListeners.add(listener);
      return () => dueListeners.delete(listener);
    },
  };
}

export type EventPump = ReturnType<typeof createEventPump>;
