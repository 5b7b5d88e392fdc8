// Live streams for clients, built on the event pump. Each stream joins the live feed first, then
// (given a cursor) backfills from the table, dropping what it has already sent by id: no gap, no
// duplicate. A stream that falls too far behind is ended with SUBSCRIBER_TOO_SLOW, so one slow
// client never holds memory or stalls the pump; it resumes from its last cursor.
import { ClientError } from '../errors.js';
import { TaskNotFound, TERMINAL, type Store, type Task, type TaskEvent } from '../store/index.js';
import type { EventBatch, EventPump } from './events.js';
import { retrying } from './retry.js';

export interface EventWithTask {
  event: TaskEvent;
  task: Task;
}

interface Queued {
  event: TaskEvent;
  batch: EventBatch;
}

const BACKFILL_PAGE = 500;

/** A bounded in-process queue of the pump's events that match filter. */
function follow(pump: EventPump, taskId: string | undefined, limit: number) {
  const queue: Queued[] = [];
  let waiting: (() => void) | undefined;
  let overflowed = false;
  const unsubscribe = pump.subscribe((batch) => {
    for (const event of batch.events) {
      if (taskId !== undefined && event.taskId !== taskId) continue;
      if (queue.length >= limit) overflowed = true;
      else queue.push({ event, batch });
    }
    waiting?.();
  }, taskId === undefined ? undefined : { taskId });
  return {
    /** The id of the oldest event still queued, if any. */
    firstId: () => queue[0]?.event.id,
    async next(): Promise<Queued> {
      while (queue.length === 0 && !overflowed) await new Promise<void>((resolve) => (waiting = resolve));
      waiting = undefined;
      if (overflowed) {
        throw new ClientError(
          'SUBSCRIBER_TOO_SLOW',
          `More than ${limit} events waited for this subscriber; resubscribe with your last cursor`,
        );
      }
      return queue.shift()!;
    },
    /** Drops everything queued but the newest: for streams that only want the latest state. */
    skipToLatest() {
      queue.splice(0, Math.max(0, queue.length - 1));
    },
    close: unsubscribe,
  };
}

export function createSubscriptions(options: { pump: EventPump; store: Store; bufferLimit: number; maxBackfill?: number }) {
  const { pump, store, bufferLimit } = options;
  const maxBackfill = options.maxBackfill ?? Number.POSITIVE_INFINITY;
  let active = 0;

  return {
    /** Streams open now. */
    active: () => active,

    /** Every event (of one task, when taskId is given) in commit order, from after `after` on. */
    async *events(args: { after?: number; taskId?: string }): AsyncGenerator<EventWithTask> {
      const { taskId } = args;
      const live = follow(pump, taskId, bufferLimit);
      active++;
      try {
        let last = args.after ?? pump.lastSeen();
        if (args.after) {
          const pruned = await retrying(() => store.retention.prunedThrough());
          if (args.after < pruned) {
            throw new ClientError('CURSOR_EXPIRED', `Events up to ${pruned} were pruned; resubscribe with after: "0" for what is kept`);
          }
        }
        let replayed = 0;
        if (args.after !== undefined) {
          while (true) {
            const from = last;
            const page = await retrying(() => store.events.readEvents(from, BACKFILL_PAGE, taskId));
            const tasks = await retrying(() => store.tasks.getTasks([...new Set(page.map((e) => e.taskId))]));
            for (const event of page) {
              if (++replayed > maxBackfill) {
                throw new ClientError('BACKFILL_LIMIT', `At most ${maxBackfill} past events per subscription; resubscribe with after: "${last}"`);
              }
              const task = tasks.get(event.taskId);
              last = event.id;
              if (task) yield { event, task };
            }
            const firstLive = live.firstId();
            if (page.length < BACKFILL_PAGE || (firstLive !== undefined && last >= firstLive)) break;
          }
        }
        while (true) {
          const { event, batch } = await live.next();
          if (event.id <= last) continue;
          last = event.id;
          const task = (await batch.tasks()).get(event.taskId);
          if (task) yield { event, task };
        }
      } finally {
        active--;
        live.close();
      }
    },

    /**
     * The task now, then its state after every change; ends after a terminal state. Rejects at
     * once, before any stream exists, when the task does not exist.
     */
    async taskUpdates(id: string): Promise<AsyncGenerator<Task>> {
      const live = follow(pump, id, bufferLimit);
      const first = await store.tasks.getTask(id).catch((error) => {
        live.close();
        throw error;
      });
      if (!first) {
        live.close();
        throw new TaskNotFound(id);
      }
      return (async function* () {
        active++;
        try {
          let task = first;
          yield task;
          while (!TERMINAL.has(task.status)) {
            // A slow client skips intermediate states: it wants where the task is, not where it was.
            live.skipToLatest();
            const { batch } = await live.next();
            task = (await batch.tasks()).get(id) ?? task;
            yield task;
          }
        } finally {
          active--;
          live.close();
        }
      })();
    },
  };
}

export type Subscriptions = ReturnType<typeof createSubscriptions>;
