// An in-process follower of the event pump for one client stream: a bounded queue, so one slow
// client never holds memory or stalls the pump (past the bound, SUBSCRIBER_TOO_SLOW).
import { ClientError } from '../errors.js';
import type { TaskEvent } from '../store/index.js';
import type { EventBatch, EventPump } from './events.js';

export interface Queued {
  event: TaskEvent;
  batch: EventBatch;
}

/**
 * A bounded in-process queue of the pump's events: of one task (a string), those a predicate
 * accepts, or all.
 */
export function follow(pump: EventPump, only: string | ((event: TaskEvent) => boolean) | undefined, limit: number) {
  const taskId = typeof only === 'string' ? only : undefined;
  const accepts = typeof only === 'function' ? only : undefined;
  const queue: Queued[] = [];
  let waiting: (() => void) | undefined;
  let overflowed = false;
  const unsubscribe = pump.subscribe((batch) => {
    for (const event of batch.events) {
      if ((taskId !== undefined && event.taskId !== taskId) || (accepts && !accepts(event))) continue;
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

