// The embedded executor's moving parts, wired together: the slots and the tasks it holds, the
// runner, the recorder and the claimer, and what it does when a claim answers, an attempt settles,
// a task is cancelled, or its worker row changes. executor.ts builds the executor's API on them.
import type { Logger } from '../logger.js';
import type { ClaimedTask, ReleaseReason, Store, Worker } from '../store/index.js';
import { createClaimer } from './claimer.js';
import type { ExecutorOptions } from './executor.js';
import { createRecorder } from './recorder.js';
import { createRunner } from './runner.js';
import { claimLimit, mayStart, takesNoWork, type SlotState } from './slots.js';

export function createExecutorCore(options: ExecutorOptions & { workerId: string }) {
  const { store, registry, workerId } = options;
  const log = options.log.child({ component: 'executor', workerId });
  const state: SlotState = { concurrency: options.concurrency, prefetch: options.prefetch ?? 0, paused: false, stopping: false, reserved: 0, unrecorded: 0 };
  /** Claimed, waiting for a slot (with prefetch, or created here while its slots were taken). */
  const queue: ClaimedTask[] = [];
  /**
   * Every task this executor holds in the database (queued, running, or waiting for its outcome to
   * be recorded): only their leases are renewed, so a claim whose reply was lost on a broken
   * connection is not kept alive forever but expires and is requeued.
   */
  const held = new Set<string>();
  // Two log lines per task add up at tens of thousands of tasks a second: skip building them
  // when nobody would see them.
  const logTransitions = log.isLevelEnabled('info');
  const deps = { claims: store.claims, workerId, log };

  const runner = createRunner({
    registry, attempts: deps, limits: options, log, logTransitions, metrics: options.metrics, stopping: () => state.stopping,
    settled(attempt, outcome) {
      state.unrecorded++;
      // Log lines and progress already written by the handler land before the outcome's event.
      const writes = attempt.drained();
      if (writes) void writes.then(() => recorder.record(attempt, outcome));
      else recorder.record(attempt, outcome);
      startQueued();
      claimer.wake();
    },
  });
  const recorder = createRecorder({
    ...deps, logTransitions, metrics: options.metrics,
    onRecorded(batch, applied) {
      state.unrecorded -= batch.length;
      for (const { outcome } of batch) {
        held.delete(outcome.id);
        // A retry after a backoff: claim when it ends, whatever the due notice's listener does.
        if (outcome.status === 'pending' && outcome.delayMs && applied.has(outcome.id)) claimer.wakeIn(outcome.delayMs);
      }
      startQueued();
    },
  });
  const claimer = createClaimer({
    ...deps, store, kinds: () => registry.kinds(), leaseSeconds: options.leaseSeconds, pollIntervalMs: options.pollIntervalMs,
    claimLimit: () => claimLimit(state, runner.count(), queue.length),
    claimed(tasks) {
      for (const task of tasks) held.add(task.id);
      // Paused or scaled to zero while the claim was in flight: hand them back now, as a command
      // does with what was queued (when stopping, stop() hands back the queue).
      if (!state.stopping && takesNoWork(state)) void release(tasks);
      else queue.push(...tasks);
      startQueued();
    },
  });

  let starting = false;
  function startQueued() {
    // A handler that finishes synchronously settles inside start(); the flag keeps that from
    // recursing back here, and this loop picks up the slot it freed.
    if (starting) return;
    starting = true;
    try {
      while (queue.length > 0 && mayStart(state, runner.count())) runner.start(queue.shift()!);
    } finally {
      starting = false;
    }
  }

  function onCancelled(taskId: string) {
    const queued = queue.findIndex((t) => t.id === taskId);
    if (queued >= 0) queue.splice(queued, 1);
    held.delete(taskId);
    // Already CANCELLED in the database: abort the handler, free the slot, record nothing.
    if (!runner.cancel(taskId)) return;
    startQueued();
    claimer.wake();
  }

  const release = (tasks: ClaimedTask[], reason = releaseReason(state)) => releaseTasks({ store, workerId, log, held }, tasks, reason);

  /** The commands in this executor's worker row, read from any process: concurrency and paused. */
  function followWorkerRow(worker: Worker) {
    if (state.stopping || worker.id !== workerId) return;
    const paused = worker.state === 'paused';
    if (worker.concurrency === state.concurrency && paused === state.paused) return;
    log.info({ concurrency: worker.concurrency, paused }, 'worker settings changed');
    state.concurrency = worker.concurrency;
    state.paused = paused;
    // Claimed ahead but not started: hand back what can no longer start soon.
    if (takesNoWork(state)) void release(queue.splice(0));
    startQueued();
    claimer.wake();
  }

  return { workerId, log, state, queue, held, runner, recorder, claimer, startQueued, onCancelled, release, followWorkerRow };
}

export type ExecutorCore = ReturnType<typeof createExecutorCore>;

/** Why tasks are handed back, from the state that made the executor hand them back. */
const releaseReason = (s: SlotState): ReleaseReason => (s.stopping ? 'shutdown' : s.paused ? 'paused' : 'scaled_to_zero');

/**
 * Hands back claimed tasks that will not start here, saying why. If the database is away, their
 * leases expire and they are requeued anyway.
 */
async function releaseTasks(
  holder: { store: Store; workerId: string; log: Logger; held: Set<string> },
  tasks: ClaimedTask[],
  reason: ReleaseReason,
) {
  if (tasks.length === 0) return;
  for (const task of tasks) holder.held.delete(task.id);
  try {
    const released = await holder.store.claims.release(holder.workerId, tasks.map((t) => ({ id: t.id, attempt: t.attempts })), reason);
    holder.log.info({ released, reason }, 'tasks handed back to the queue');
  } catch (error) {
    holder.log.warn({ err: error, tasks: tasks.length }, 'could not hand tasks back; their leases will expire');
  }
}
