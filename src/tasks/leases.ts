// Sweeps that any process runs, every half lease, for work whose owner went away: workers silent
// for longer than their lease go offline, expired leases put their tasks back in the queue (or fail
// them when no attempt is left), tasks an external worker holds past their timeout are timed out
// here, since no timer of ours runs them, and held tasks whose key or queue has a free slot are released. SKIP LOCKED and guarded updates let every process
// sweep at once without doing anything twice.
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';
import { outcomeOf, timeoutFailure } from './outcome.js';

export function keepSweeping(options: {
  store: Store;
  leaseSeconds: number;
  log: Logger;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  maxPayloadBytes: number;
}): () => void {
  const { store, log } = options;

  async function sweep() {
    try {
      for (const id of await store.workers.markSilentOffline()) log.warn({ workerId: id }, 'worker missed its heartbeats; offline');
      for (const task of await store.claims.requeueExpired()) {
        log.warn({ taskId: task.id, kind: task.kind, status: task.status }, 'lease expired; task requeued');
      }
      await timeOutOverdue();
      // A held task is released when a task of its key or queue leaves running; this catches the
      // slots freed otherwise (a slot freed while the task held for it was not committed yet).
      const released = (await store.queues.releaseKeyHolds(1000)) + (await store.queues.releaseQueueHolds(1000));
      if (released > 0) log.info({ released }, 'released held tasks into free slots of their key or queue');
    } catch (error) {
      log.warn({ err: error }, 'sweeping for abandoned tasks failed');
    }
  }

  async function timeOutOverdue() {
    const overdue = await store.claims.overdueExternal();
    const byWorker = new Map<string, typeof overdue>();
    for (const task of overdue) byWorker.set(task.workerId, [...(byWorker.get(task.workerId) ?? []), task]);
    for (const [workerId, tasks] of byWorker) {
      const outcomes = tasks.map((task) =>
        outcomeOf(task, { ok: false, error: timeoutFailure(task.timeoutSeconds) }, options),
      );
      const { applied } = await store.claims.finish(workerId, outcomes);
      for (const id of applied) log.warn({ taskId: id, workerId }, 'external worker ran past the timeout; task timed out');
    }
  }

  const timer = setInterval(sweep, (options.leaseSeconds * 1000) / 2);
  timer.unref();
  void sweep();
  return () => clearInterval(timer);
}
