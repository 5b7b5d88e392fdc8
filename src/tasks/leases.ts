// Leases: a process renews the leases of everything it holds in one statement every third of the
// lease, and every process sweeps for expired leases (a process that died or lost its database)
// every half lease, putting those tasks back in the queue or failing them when no attempt is left.
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';

export function keepLeases(options: {
  store: Store;
  workerId: string;
  leaseSeconds: number;
  log: Logger;
  /** Whether this process holds any task now; no statement is sent when it holds none. */
  holding(): boolean;
}): () => void {
  const { store, workerId, leaseSeconds, log } = options;

  async function renew() {
    if (!options.holding()) return;
    await store.claims.renewLeases(workerId, leaseSeconds).catch((error) => log.warn({ err: error }, 'lease renewal failed'));
  }

  async function sweep() {
    try {
      for (const task of await store.claims.requeueExpired()) {
        log.warn({ taskId: task.id, kind: task.kind, status: task.status }, 'lease expired; task requeued');
      }
    } catch (error) {
      log.warn({ err: error }, 'requeueing expired tasks failed');
    }
  }

  const timers = [setInterval(renew, (leaseSeconds * 1000) / 3), setInterval(sweep, (leaseSeconds * 1000) / 2)];
  for (const timer of timers) timer.unref();
  void sweep();
  return () => timers.forEach(clearInterval);
}
