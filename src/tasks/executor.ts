// The embedded executor: claim -> run the handler with an AbortSignal -> record the outcome. It
// knows nothing about GraphQL. Its parts (executor-core.ts wires them): claimer.ts claims (and,
// for tasks created in this process, the create statement does: reserveSlots, startCreated),
// runner.ts runs attempts, recorder.ts records their outcomes in batches, slots.ts says how many
// may be claimed and started (prefetch.ts how many ahead of free slots), and heartbeat.ts and
// leases.ts keep its row and leases alive.
import { randomUUID } from 'node:crypto';
import { sleepMs } from '../backoff.js';
import type { Logger } from '../logger.js';
import type { TaskMetrics } from '../metrics.js';
import type { Store } from '../store/index.js';
import type { EventPump } from './events.js';
import { createExecutorCore, type ExecutorCore } from './executor-core.js';
import type { Registry } from './handlers.js';
import { embeddedWorker, keepHeartbeat } from './heartbeat.js';
import { keepSweeping } from './leases.js';

export interface ExecutorOptions {
  store: Store;
  pump: EventPump;
  registry: Registry;
  log: Logger;
  concurrency: number;
  /**
   * Tasks claimed ahead of free slots, so claims come in bigger batches: a fixed number (0: free
   * slots only), or 'auto' (the default): ahead only while the queue is deep (prefetch.ts).
   */
  prefetch?: number | 'auto';
  /** Take tasks created in this process into free slots as they are created (reserveSlots, startCreated). */
  startOnCreate?: boolean;
  leaseSeconds: number;
  pollIntervalMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  maxPayloadBytes: number;
  workerId?: string;
  /** How this executor is listed among the workers; default host:pid. */
  workerName?: string;
  metrics?: TaskMetrics;
}

export function createExecutor(options: ExecutorOptions) {
  const { store, registry } = options;
  const core = createExecutorCore({ ...options, workerId: options.workerId ?? `${process.pid}-${randomUUID()}` });
  const { workerId, state, runner, claimer, log } = core;
  const cleanups: Array<() => void> = [];
  return {
    workerId,
    start() {
      const { pump } = options;
      cleanups.push(pump.subscribe((batch) => batch.events.forEach((e) => core.tasks.cancel(e.taskId)), { types: ['cancelled'] }));
      // A notification of new work claims at once rather than a turn later.
      cleanups.push(pump.onWake(claimer.claim));
      // A retry's backoff or a runAt ending, from any process's statement: claim then, not at the poll.
      cleanups.push(pump.onDue((inMs, kind) => registry.get(kind) && claimer.wakeIn(inMs)));
      const worker = () => embeddedWorker(workerId, options.workerName, registry.kinds(), options.concurrency, options.leaseSeconds);
      const report = () => ({ running: runner.count(), held: core.tasks.ids(), ...core.recorder.counts });
      cleanups.push(keepHeartbeat({ store, worker, report, followWorkerRow: core.followWorkerRow, log }));
      cleanups.push(keepSweeping({ ...options, log }));
      claimer.start();
    },
    followWorkerRow: core.followWorkerRow,
    /**
     * In this process only, at once: more slots claim now; fewer never abort a running task. The
     * worker's row stays the command (setWorkerConcurrency): a row that says 0 or paused still
     * makes the claim statement take nothing.
     */
    setConcurrency(value: number) {
      state.concurrency = value;
      core.tasks.startQueued();
      claimer.wake();
    },
    /** Whether this executor runs tasks of this kind. */
    runs: (kind: string) => registry.get(kind) !== undefined,
    /** Claims when a task of its kinds created through this process for later becomes due. */
    wakeIn: claimer.wakeIn,
    reserveSlots: core.reserveSlots,
    startCreated: core.startCreated,
    concurrency: () => state.concurrency,
    paused: () => state.paused,
    runningCount: () => runner.count(),
    /** Nothing running, queued, reserved or being claimed. */
    idle: () => runner.count() === 0 && state.reserved === 0 && core.waiting(),
    stop: (graceMs: number) => stopExecutor(core, cleanups, options.store, graceMs),
  };
}

/**
 * Stops claiming and hands back what has not started; lets running tasks finish within graceMs,
 * then aborts the rest and hands them back too, without counting the attempt.
 */
async function stopExecutor(core: ExecutorCore, cleanups: Array<() => void>, store: Store, graceMs: number) {
  const { state, runner, log, workerId } = core;
  state.stopping = true;
  await store.workers.setState(workerId, 'stopping').catch(() => {});
  for (const fn of cleanups.splice(0)) fn();
  await core.claimer.stop();
  // Creations that may still claim for this executor (startCreated hands their tasks back).
  const createdBy = Date.now() + graceMs;
  while (state.reserved > 0 && Date.now() < createdBy) await sleepMs(5);
  await core.tasks.release(core.tasks.queue.splice(0));
  const deadline = Date.now() + graceMs;
  while (runner.count() > 0 && Date.now() < deadline) await sleepMs(25);
  const left = runner.abortAll();
  // Outcomes still waiting for the database get a bounded wait; past it their tasks' leases
  // expire and another process runs them again, so nothing is lost either way.
  const recordBy = Date.now() + 10_000;
  while (state.unrecorded > 0 && Date.now() < recordBy) await sleepMs(10);
  await core.tasks.release(left);
  await store.workers.setState(workerId, 'offline').catch((error) => log.warn({ err: error }, 'could not mark the worker offline'));
}

export type Executor = ReturnType<typeof createExecutor>;
