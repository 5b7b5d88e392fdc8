// The embedded executor: claim -> run the handler with an AbortSignal -> record the outcome.
// It knows nothing about GraphQL. Reads top to bottom: slots, start, settle; claims are made by
// claimer.ts (and, for tasks created in this process, by the create statement: reserve, adopt),
// outcomes recorded by recorder.ts.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { ClaimedTask, Store } from '../store/index.js';
import { Attempt } from './attempt.js';
import type { EventPump } from './events.js';
import type { Registry } from './handlers.js';
import { TaskFailure } from './kind.js';
import { embeddedWorker, keepHeartbeat } from './heartbeat.js';
import { keepSweeping } from './leases.js';
import type { ReleaseReason } from '../store/claims.js';
import type { Worker } from '../store/workers.js';
import type { TaskMetrics } from '../metrics.js';
import { outcomeOf, type Settlement } from './outcome.js';
import { createClaimer } from './claimer.js';
import { createRecorder } from './recorder.js';

export interface ExecutorOptions {
  store: Store;
  pump: EventPump;
  registry: Registry;
  log: Logger;
  concurrency: number;
  /** Tasks claimed ahead of free slots, so claims come in bigger batches (0: claim free slots only). */
  prefetch?: number;
  /** Take tasks created in this process into free slots as they are created (reserve, adopt). */
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

/** Outcomes waiting for their commit past which no new handler starts: memory stays bounded. */
const MAX_UNRECORDED = 5000;

export function createExecutor(options: ExecutorOptions) {
  const { store, pump, registry } = options;
  const prefetch = options.prefetch ?? 0;
  const workerId = options.workerId ?? `${process.pid}-${randomUUID()}`;
  const log = options.log.child({ component: 'executor', workerId });
  // Two log lines per task add up at tens of thousands of tasks a second: skip building them
  // when nobody would see them.
  const logTransitions = log.isLevelEnabled('info');
  const deps = { claims: store.claims, workerId, log };
  /** Claimed, waiting for a slot (only with prefetch). */
  const queue: ClaimedTask[] = [];
  const running = new Map<string, Attempt>();
  /**
   * Every task this executor holds in the database (queued, running, or waiting for its outcome to
   * be recorded): only their leases are renewed, so a claim whose reply was lost on a broken
   * connection is not kept alive forever but expires and is requeued.
   */
  const held = new Set<string>();
  /** Settled attempts whose outcome is not committed yet. */
  let unrecorded = 0;
  /** Slots held for tasks being created in this process (reserve), not yet adopted. */
  let reserved = 0;
  let concurrency = options.concurrency;
  /** Paused from outside (pauseWorker): running tasks finish, nothing new is claimed. */
  let paused = false;
  let stopping = false;
  const cleanups: Array<() => void> = [];

  const claimer = createClaimer({
    store, workerId, log, kinds: () => registry.kinds(), leaseSeconds: options.leaseSeconds, pollIntervalMs: options.pollIntervalMs,
    room() {
      // With prefetch, refill only once the local queue is half empty, so claims stay big.
      if (stopping || (prefetch > 0 && queue.length > prefetch / 2)) return 0;
      // Scaled to zero or paused: claim nothing, not even ahead.
      return paused || concurrency === 0 ? 0 : concurrency + prefetch - running.size - queue.length - reserved;
    },
    claimed(tasks) {
      for (const task of tasks) held.add(task.id);
      // Paused or scaled to zero while the claim was in flight: hand them back now, as obey() did
      // with what was queued (at a stop, stop() hands back the queue).
      if (!stopping && (paused || concurrency === 0)) void release(tasks);
      else queue.push(...tasks);
      startQueued();
    },
  });
  const wake = claimer.wake;
  /** Nothing claimed and waiting, no claim in flight or due: its last claim found no more work. */
  const waiting = () => claimer.idle() && queue.length === 0;

  // --- running --------------------------------------------------------------------------------

  let starting = false;
  function startQueued() {
    // A handler that finishes synchronously settles inside start(); the flag keeps that from
    // recursing back here, and this loop picks up the slot it freed.
    if (starting) return;
    starting = true;
    try {
      while (queue.length > 0 && running.size + reserved < concurrency && unrecorded < MAX_UNRECORDED && !stopping && !paused) {
        start(queue.shift()!);
      }
    } finally {
      starting = false;
    }
  }

  function start(task: ClaimedTask) {
    const attempt = new Attempt(task, deps);
    attempt.timer = setTimeout(timeOut, task.timeoutSeconds * 1000, attempt);
    running.set(task.id, attempt);
    options.metrics?.started(task.kind, (attempt.startedAt - task.runAtMs) / 1000);
    if (logTransitions) log.info({ taskId: task.id, kind: task.kind, attempt: task.attempts }, 'task started');
    const kind = registry.get(task.kind);
    let result: unknown;
    try {
      if (!kind) throw new TaskFailure(`No handler for kind ${task.kind}`, 'UNKNOWN_TASK_KIND', false);
      result = kind.run(task.input, attempt);
    } catch (error) {
      return settle(attempt, { ok: false, error });
    }
    if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(
        (value) => settle(attempt, { ok: true, result: value }),
        (error) => settle(attempt, { ok: false, error }),
      );
    } else {
      settle(attempt, { ok: true, result });
    }
  }

  function timeOut(attempt: Attempt) {
    const error = new TaskFailure(`Timed out after ${attempt.claimed.timeoutSeconds} s`, 'TIMEOUT');
    attempt.abort(error);
    settle(attempt, { ok: false, error });
  }

  /** No later result of this attempt counts: its slot frees, its timer stops, its ctx closes. */
  function retire(attempt: Attempt) {
    attempt.settled = true;
    clearTimeout(attempt.timer);
    attempt.close();
    running.delete(attempt.claimed.id);
  }

  /** The handler is done (or timed out): its slot frees now, its outcome is recorded in a batch. */
  function settle(attempt: Attempt, settlement: Settlement) {
    if (attempt.settled) {
      if (!stopping) log.info({ taskId: attempt.claimed.id }, 'late result of a settled attempt discarded');
      return;
    }
    retire(attempt);
    unrecorded++;
    options.metrics?.ran(attempt.claimed.kind, (Date.now() - attempt.startedAt) / 1000);
    const outcome = outcomeOf(attempt.claimed, settlement, options);
    // Log lines and progress already written by the handler land before the outcome's event.
    const writes = attempt.drained();
    if (writes) void writes.then(() => record(attempt, outcome));
    else record(attempt, outcome);
    startQueued();
    wake();
  }

  const recorder = createRecorder({
    ...deps,
    logTransitions,
    metrics: options.metrics,
    onRecorded(batch, applied) {
      unrecorded -= batch.length;
      for (const { outcome } of batch) {
        held.delete(outcome.id);
        // A retry after a backoff: claim when it ends, whatever the due notice's listener does.
        if (outcome.status === 'pending' && outcome.delayMs && applied.has(outcome.id)) claimer.wakeIn(outcome.delayMs);
      }
      startQueued();
    },
  });
  const record = recorder.record;

  // --- cancellation and shutdown ---------------------------------------------------------

  function onEvents(events: readonly { type: string; taskId: string }[]) {
    for (const event of events) {
      if (event.type !== 'cancelled') continue;
      const queued = queue.findIndex((t) => t.id === event.taskId);
      if (queued >= 0) queue.splice(queued, 1);
      held.delete(event.taskId);
      const attempt = running.get(event.taskId);
      if (!attempt || attempt.settled) continue;
      // Already CANCELLED in the database: abort the handler, free the slot, record nothing.
      retire(attempt);
      attempt.abort(new TaskFailure('Cancelled', 'CANCELLED', false));
      log.info({ taskId: event.taskId, kind: attempt.claimed.kind, attempt: attempt.claimed.attempts }, 'task cancelled while running');
      startQueued();
      wake();
    }
  }

  /**
   * Hands back claimed tasks that will not start here, saying why (by default, from the state that
   * made the caller hand them back). If the database is away, their leases expire and they are
   * requeued anyway.
   */
  async function release(tasks: ClaimedTask[], reason: ReleaseReason = stopping ? 'shutdown' : paused ? 'paused' : 'scaled_to_zero') {
    if (tasks.length === 0) return;
    for (const task of tasks) held.delete(task.id);
    try {
      const released = await store.claims.release(workerId, tasks.map((t) => ({ id: t.id, attempt: t.attempts })), reason);
      log.info({ released, reason }, 'tasks handed back to the queue');
    } catch (error) {
      log.warn({ err: error, tasks: tasks.length }, 'could not hand tasks back; their leases will expire');
    }
  }

  /** A command from the worker row: new concurrency, paused or resumed. */
  function obey(worker: Worker) {
    if (stopping || worker.id !== workerId) return;
    const pause = worker.state === 'paused';
    if (worker.concurrency === concurrency && pause === paused) return;
    log.info({ concurrency: worker.concurrency, paused: pause }, 'worker settings changed');
    concurrency = worker.concurrency;
    paused = pause;
    // Claimed ahead but not started: hand back what can no longer start soon.
    if (paused || concurrency === 0) void release(queue.splice(0));
    startQueued();
    wake();
  }

  const identity = () => embeddedWorker(workerId, options.workerName, registry.kinds(), options.concurrency, options.leaseSeconds);

  return {
    workerId,
    start() {
      cleanups.push(pump.subscribe((batch) => onEvents(batch.events), { types: ['cancelled'] }));
      // A notification of new work claims at once rather than a turn later.
      cleanups.push(pump.onWake(claimer.claim));
      // A retry's backoff or a runAt ending, from any process's statement: claim then, not at the poll.
      cleanups.push(pump.onDue((inMs, kind) => registry.get(kind) && claimer.wakeIn(inMs)));
      const report = () => ({ running: running.size, held: [...held], ...recorder.counts });
      cleanups.push(keepHeartbeat({ store, worker: identity, report, obey, log }));
      cleanups.push(keepSweeping({ ...options, log }));
      claimer.start();
    },

    obey,
    /**
     * In this process only, at once: more slots claim now; fewer never abort a running task. The
     * worker's row stays the command (setWorkerConcurrency): a row that says 0 or paused still
     * makes the claim statement take nothing.
     */
    setConcurrency(value: number) {
      concurrency = value;
      startQueued();
      wake();
    },
    /** Whether this executor runs tasks of this kind. */
    runs: (kind: string) => registry.get(kind) !== undefined,
    /**
     * Up to n free slots for tasks being created in this process (creator.ts), held until adopt().
     * None unless it is waiting for work: its last claim found no more due tasks of its kinds, and
     * no notification of new ones has come since (no claim in flight or due). A task that became
     * due meanwhile (a retry's backoff or a runAt ending) may be overtaken by the time the claim
     * its due notice sets off answers.
     */
    reserve(n: number): { workerId: string; leaseSeconds: number; slots: number } | undefined {
      const slots = Math.min(n, concurrency - running.size - reserved);
      if (!options.startOnCreate || slots <= 0 || paused || stopping || !waiting()) return undefined;
      reserved += slots;
      return { workerId, leaseSeconds: options.leaseSeconds, slots };
    },
    /** Claims when a task of its kinds created through this process for later becomes due. */
    wakeIn: claimer.wakeIn,
    /** The tasks the create statement claimed for it in slots from reserve(): start them. */
    adopt(tasks: ClaimedTask[], slots: number) {
      reserved -= slots;
      for (const task of tasks) held.add(task.id);
      // Paused, scaled to zero or stopping meanwhile: hand them back.
      if (paused || stopping || concurrency === 0) void release(tasks);
      else queue.unshift(...tasks);
      startQueued();
      // Slots held for tasks that were not claimed (an existing idempotency key, a paused row).
      if (tasks.length < slots) wake();
    },
    concurrency: () => concurrency,
    paused: () => paused,
    runningCount: () => running.size,
    /** Nothing running, queued, reserved or being claimed. */
    idle: () => running.size === 0 && reserved === 0 && waiting(),

    /**
     * Stops claiming and hands back what has not started; lets running tasks finish within
     * graceMs, then aborts the rest and hands them back too, without counting the attempt.
     */
    async stop(graceMs: number) {
      stopping = true;
      await store.workers.setState(workerId, 'stopping').catch(() => {});
      for (const fn of cleanups.splice(0)) fn();
      await claimer.stop();
      // Creations that may still claim for this executor (adopt() hands their tasks back).
      const createdBy = Date.now() + graceMs;
      while (reserved > 0 && Date.now() < createdBy) await new Promise((resolve) => setTimeout(resolve, 5));
      await release(queue.splice(0));
      const deadline = Date.now() + graceMs;
      while (running.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      const left = [...running.values()];
      for (const attempt of left) {
        retire(attempt);
        attempt.abort(new TaskFailure('The server is shutting down', 'SHUTDOWN'));
      }
      // Outcomes still waiting for the database get a bounded wait; past it their tasks' leases
      // expire and another process runs them again, so nothing is lost either way.
      const recordBy = Date.now() + 10_000;
      while (unrecorded > 0 && Date.now() < recordBy) await new Promise((resolve) => setTimeout(resolve, 10));
      await release(left.map((a) => a.claimed));
      await store.workers.setState(workerId, 'offline').catch((error) => log.warn({ err: error }, 'could not mark the worker offline'));
    },
  };
}

export type Executor = ReturnType<typeof createExecutor>;
