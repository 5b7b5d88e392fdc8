// The embedded executor's heartbeat: one statement that keeps its worker row alive, reports its
// counters and renews the leases of every task it holds. The row it gets back carries the commands
// (concurrency, paused) sent from any process, so a command whose NOTIFY was lost still arrives
// within one beat.
import { hostname } from 'node:os';
import type { Logger } from '../logger.js';
import type { NewWorker, Store, Worker, WorkerReport } from '../store/index.js';

/** Often enough for a live view of running counts, and a third of the lease at most. */
export const heartbeatMs = (leaseSeconds: number) => Math.min(5000, (leaseSeconds * 1000) / 3);

export function keepHeartbeat(options: {
  store: Store;
  worker: () => NewWorker;
  report: () => WorkerReport;
  /** The row as the beat returned it: its concurrency and state are commands. */
  followWorkerRow: (worker: Worker) => void;
  log: Logger;
}): () => void {
  const { store, log } = options;

  // Each beat stands alone: one stuck on a dead connection must not hold back the next, or the
  // leases of every task this process runs would lapse.
  function beat(): Promise<void> {
    return store.workers
      .beat(options.worker(), options.report())
      .then(options.followWorkerRow, (error) => log.warn({ err: error }, 'heartbeat failed'));
  }

  const timer = setInterval(beat, heartbeatMs(options.worker().leaseSeconds));
  timer.unref();
  void beat();
  return () => clearInterval(timer);
}

export function embeddedWorker(id: string, name: string | undefined, kinds: string[], concurrency: number, leaseSeconds: number): NewWorker {
  const host = hostname();
  return { id, name: name ?? `${host}:${process.pid}`, kind: 'embedded', host, pid: process.pid, kinds, concurrency, leaseSeconds };
}
