// The event pump: one per process. NOTIFY only says "something new"; the pump then reads the event
// table after the last id it has seen, in order, and hands each batch to everyone in-process who
// follows events (subscriptions, the executor). A lost notification or a dropped LISTEN connection
// costs latency, never an event: the fallback tick and the reconnect both read from last_seen.
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { EventFilter } from '../store/events.js';
import { EVENTS_CHANNEL, WAKE_PAYLOAD, type Store, type Task, type TaskEvent } from '../store/index.js';

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

export function createEventPump(options: { db: Database; store: Store; log: Logger; pollIntervalMs: number }) {
  const { db, store, pollIntervalMs } = options;
  const log = options.log.child({ component: 'events' });
  const listeners = new Map<BatchListener, Interest | undefined>();
  const wakeListeners = new Set<() => void>();
  let lastSeen = 0;
  let reading: Promise<void> | undefined;
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
            const page = await store.events.readNext(lastSeen, PAGE, filter());
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
    const taskIds = new Set<string>();
    for (const interest of listeners.values()) {
      if (!interest || (!interest.types && !interest.taskId)) return null;
      for (const type of interest.types ?? []) types.add(type);
      if (interest.taskId) taskIds.add(interest.taskId);
    }
    return { types: [...types], taskIds: [...taskIds] };
  }

  function deliver(events: TaskEvent[]) {
    let loaded: Promise<Map<string, Task>> | undefined;
    const batch: EventBatch = {
      events,
      tasks: () => (loaded ??= store.tasks.getTasks([...new Set(events.map((e) => e.taskId))])),
    };
    for (const listener of listeners.keys()) {
      try {
        listener(batch);
      } catch (error) {
        log.error({ err: error }, 'event listener threw');
      }
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
        (payload) => {
          // The executor may claim at once, in parallel with reading the events.
          if (payload === WAKE_PAYLOAD) for (const wake of wakeListeners) wake();
          void read();
        },
        () => {
          for (const wake of wakeListeners) wake();
          void read();
        },
      );
      tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await reading;
    },
    /** The id of the newest event handed out; every event at or below it has been delivered. */
    lastSeen: () => lastSeen,
    /** Reads now instead of waiting for a notification (after this process wrote events itself). */
    poke: () => void read(),
    subscribe(listener: BatchListener, interest?: Interest): () => void {
      listeners.set(listener, interest);
      return () => listeners.delete(listener);
    },
    onWake(listener: () => void): () => void {
      wakeListeners.add(listener);
      return () => wakeListeners.delete(listener);
    },
    subscriberCount: () => listeners.size,
  };
}

export type EventPump = ReturnType<typeof createEventPump>;
