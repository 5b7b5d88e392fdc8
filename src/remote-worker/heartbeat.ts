// The worker's heartbeat: more often than its lease, so the server keeps its tasks' leases alive.
// Each beat hands over the tasks cancelled since the last one (their handlers are aborted) and the
// worker's row, whose concurrency is a command (setWorkerConcurrency) this worker follows.
import type { Logger } from '../logger.js';
import { heartbeatMs } from '../tasks/heartbeat.js';
import { refusalCode } from './graphql-client.js';
import type { Heartbeat, Protocol } from './protocol.js';

export interface HeartbeatOptions {
  protocol: Protocol;
  log: Logger;
  registered: () => { id: string; leaseSeconds: number };
  followBeat(beat: Heartbeat): void;
  /** The server no longer knows the worker id the beat was sent for. */
  forgotten(workerId: string): void;
}

/** Starts beating; the function it returns stops, resolving once the beat under way has ended. */
export function keepBeating(options: HeartbeatOptions): () => Promise<void> {
  const { protocol, log } = options;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();

  async function beat() {
    const { id, leaseSeconds } = options.registered();
    try {
      options.followBeat(await protocol.heartbeat(id, leaseSeconds * 1000));
    } catch (error) {
      if (refusalCode(error) === 'WORKER_NOT_FOUND') return options.forgotten(id);
      log.warn({ workerId: id, err: (error as Error).message }, 'heartbeat failed');
    }
  }

  // Each beat stands alone: one stuck on a dead connection must not hold back the next, or the
  // leases of every task this worker runs would lapse.
  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      const beating = beat().finally(() => inFlight.delete(beating));
      inFlight.add(beating);
      schedule();
    }, heartbeatMs(options.registered().leaseSeconds));
  }

  schedule();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await Promise.allSettled([...inFlight]);
  };
}
