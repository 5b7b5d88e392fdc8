// Queue changes, live in every process, for queueUpdated and the dashboard. A change of a queue's
// rules sends its name on QUEUES_CHANNEL; its counts (pending, running, held) change with every
// task, so while anyone follows queues they are also read again every second, and a queue is
// sent when anything about it differs from what was sent last.
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { coalesce } from '../coalesce.js';
import { latestByKey } from '../latest-by-key.js';
import { QUEUES_CHANNEL, type Queue, type Store } from '../store/index.js';

const REFRESH_MS = 1000;

export function createQueueHub(options: { db: Database; store: Store; log: Logger }) {
  const { db, store } = options;
  const log = options.log.child({ component: 'queues' });
  const streams = new Set<(queue: Queue) => void>();
  /** The last state sent of each queue, as JSON. */
  const sent = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;

  /** Reads every queue (a handful of rows) and sends the ones that changed; one read at a time. */
  const refresh = coalesce(async () => {
    if (streams.size === 0) return;
    try {
      for (const queue of await store.queues.listQueues()) {
        const json = JSON.stringify(queue);
        if (sent.get(queue.name) === json) continue;
        sent.set(queue.name, json);
        for (const stream of streams) stream(queue);
      }
    } catch (error) {
      log.warn({ err: error }, 'reading queues failed');
    }
  });

  function follow(listener: (queue: Queue) => void): () => void {
    streams.add(listener);
    timer ??= setInterval(() => void refresh(), REFRESH_MS).unref();
    return () => {
      streams.delete(listener);
      if (streams.size > 0) return;
      clearInterval(timer);
      timer = undefined;
      sent.clear();
    };
  }

  return {
    async start() {
      await db.listen(QUEUES_CHANNEL, () => void refresh(), () => void refresh());
    },
    async stop() {
      clearInterval(timer);
      await refresh.settled();
    },
    /** Subscription streams open now. */
    streams: () => streams.size,
    /** Each queue (or the one named) now, then after every change of it. Ends when the consumer returns. */
    updates: (name?: string): AsyncGenerator<Queue> =>
      latestByKey<Queue>(
        (onQueue) => follow((queue) => (name === undefined || queue.name === name) && onQueue(queue)),
        (queue) => queue.name,
        () => store.queues.listQueues(name === undefined ? undefined : [name]),
      ),
  };
}

export type QueueHub = ReturnType<typeof createQueueHub>;
