// Worker changes, live in every process. A change of a worker row sends its id on NOTIFY (see
// store/workers/changed-worker.ts); the hub reads the changed rows, a burst of notifications in
// one read, and hands them to subscribers (workerUpdated) and to the embedded executor, which
// follows the commands meant for it. After the LISTEN connection comes back, every row is read
// again: rows are state, not history, so the latest row is all anyone needs.
import type { Database } from '../db/client.js';
import { latestByKey } from '../latest-by-key.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';
import { WORKERS_CHANNEL, type Worker } from '../store/index.js';

export type WorkerListener = (worker: Worker) => void;

export function createWorkerHub(options: { db: Database; store: Store; log: Logger }) {
  const { db, store } = options;
  const log = options.log.child({ component: 'workers' });
  const listeners = new Set<WorkerListener>();
  const pending = new Set<string>();
  let scheduled = false;
  /** workerUpdated streams open now. */
  let streams = 0;

  function emit(workers: Worker[]) {
    for (const worker of workers) {
      for (const listener of listeners) {
        try {
          listener(worker);
        } catch (error) {
          log.error({ err: error }, 'worker listener threw');
        }
      }
    }
  }

  function changed(id: string) {
    pending.add(id);
    if (scheduled) return;
    scheduled = true;
    setImmediate(async () => {
      scheduled = false;
      const ids = [...pending];
      pending.clear();
      try {
        emit(await store.workers.getWorkers(ids));
      } catch (error) {
        log.warn({ err: error }, 'reading changed workers failed');
      }
    });
  }

  function onChange(listener: WorkerListener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  return {
    async start() {
      await db.listen(WORKERS_CHANNEL, changed, () => {
        store.workers.listWorkers().then(emit, (error: unknown) => log.warn({ err: error }, 'reading workers failed'));
      });
    },
    onChange,
    /**
     * Changes of one worker, or of all, as an async stream that keeps only each worker's latest
     * row. Ends when the consumer returns (the subscription is closed).
     */
    async *updates(id?: string): AsyncGenerator<Worker> {
      streams++;
      try {
        yield* latestByKey<Worker>((onWorker) => onChange((worker) => (id === undefined || worker.id === id) && onWorker(worker)), (worker) => worker.id);
      } finally {
        streams--;
      }
    },
    streams: () => streams,
  };
}

export type WorkerHub = ReturnType<typeof createWorkerHub>;
