// The embedded executor's moving parts, wired together: its slot state, the tasks it holds
// (held-tasks.ts), the runner, the recorder and the claimer, and what it does when a claim
// answers, an attempt settles, or its worker row changes. executor.ts builds its API on them.
import { eventOf, type ClaimedTask, type Worker } from '../store/index.js';
import { createClaimer } from './claimer.js';
import type { ExecutorOptions } from './executor.js';
import { createHeldTasks } from './held-tasks.js';
import { createRecorder } from './recorder.js';
import { adaptivePrefetch, fixedPrefetch } from './prefetch.js';
import { createRunner } from './runner.js';
import { claimLimit, reservable, takesNoWork, type SlotState } from './slots.js';

export function createExecutorCore(options: ExecutorOptions & { workerId: string }) {
  const { store, registry, workerId } = options;
  const log = options.log.child({ component: 'executor', workerId });
  const state: SlotState = { concurrency: options.concurrency, prefetch: 0, paused: false, stopping: false, reserved: 0, unrecorded: 0 };
  const prefetch = typeof options.prefetch === 'number' ? fixedPrefetch(options.prefetch) : adaptivePrefetch();
  // Two log lines per task add up at tens of thousands of tasks a second: skip building them
  // when nobody would see them.
  const logTransitions = log.isLevelEnabled('info');
  const deps = { claims: store.claims, workerId, log };

  const runner = createRunner({
    registry, attempts: deps, limits: options, log, logTransitions, metrics: options.metrics, stopping: () => state.stopping,
    settled(attempt, outcome) {
      state.unrecorded++;
      prefetch.settled();
      // Log lines and progress already written by the handler land before the outcome's event.
      const writes = attempt.drained();
      if (writes) void writes.then(() => recorder.record(attempt, outcome));
      else recorder.record(attempt, outcome);
      tasks.startQueued();
      claimer.wake();
    },
  });
  const tasks = createHeldTasks({ store, workerId, log, state, runner, wake: () => claimer.wake() });
  const recorder = createRecorder({
    ...deps, logTransitions, metrics: options.metrics,
    onRecorded(batch, applied) {
      state.unrecorded -= batch.length;
      for (const { attempt, outcome } of batch) {
        attempt.trace?.end(applied.has(outcome.id) ? eventOf(outcome.status) : 'discarded', outcome.error);
        tasks.forget(outcome.id);
        // A retry after a backoff: claim when it ends, whatever the due notice's listener does.
        if (outcome.status === 'pending' && outcome.delayMs && applied.has(outcome.id)) claimer.wakeIn(outcome.delayMs);
      }
      tasks.startQueued();
    },
    reserveForReady() {
      const slots = reservable(state, state.concurrency, runner.count());
      if (slots <= 0) return undefined;
      state.reserved += slots;
      return { take: { workerId, kinds: registry.kinds(), limit: slots, leaseSeconds: options.leaseSeconds }, slots };
    },
    taken: (started, slots) => startCreated(started, slots),
  });
  const claimer = createClaimer({
    ...deps, store, kinds: () => registry.kinds(), leaseSeconds: options.leaseSeconds, pollIntervalMs: options.pollIntervalMs,
    claimLimit: () => {
      state.prefetch = prefetch.ahead();
      return claimLimit(state, runner.count(), tasks.queue.length);
    },
    claimed: (claimed, full) => {
      prefetch.claimed(full);
      tasks.take(claimed);
    },
  });
  /** Nothing claimed and waiting, no claim in flight or due: its last claim found no more work. */
  const waiting = () => claimer.idle() && tasks.queue.length === 0;

  /** The commands in this executor's worker row, read from any process: concurrency and paused. */
  function followWorkerRow(worker: Worker) {
    if (state.stopping || worker.id !== workerId) return;
    const paused = worker.state === 'paused';
    if (worker.concurrency === state.concurrency && paused === state.paused) return;
    log.info({ concurrency: worker.concurrency, paused }, 'worker settings changed');
    state.concurrency = worker.concurrency;
    state.paused = paused;
    // Claimed ahead but not started: hand back what can no longer start soon.
    if (takesNoWork(state)) void tasks.release(tasks.queue.splice(0));
    tasks.startQueued();
    claimer.wake();
  }

  /**
   * Up to n free slots for tasks being created in this process (creator.ts), held until
   * startCreated(). None unless it is waiting for work: its last claim found no more due tasks of
   * its kinds, and no notification of new ones has come since (no claim in flight or due). A task
   * that became due meanwhile (a retry's backoff or a runAt ending) may be overtaken by the time
   * the claim its due notice sets off answers.
   */
  function reserveSlots(n: number): { workerId: string; leaseSeconds: number; slots: number } | undefined {
    const slots = reservable(state, n, runner.count());
    if (!options.startOnCreate || slots <= 0 || !waiting()) return undefined;
    state.reserved += slots;
    return { workerId, leaseSeconds: options.leaseSeconds, slots };
  }

  /** The tasks a create (or an outcome, for dependents it made ready) claimed for it in reserved slots: start them. */
  function startCreated(created: ClaimedTask[], slots: number) {
    state.reserved -= slots;
    tasks.take(created, true);
    // Slots held for tasks that were not claimed (an existing key, a paused row, a queue's rule).
    if (created.length < slots) claimer.wake();
  }

  return { workerId, log, state, tasks, runner, recorder, claimer, followWorkerRow, waiting, reserveSlots, startCreated };
}

export type ExecutorCore = ReturnType<typeof createExecutorCore>;
