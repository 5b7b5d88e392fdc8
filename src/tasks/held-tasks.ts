// The tasks the embedded executor holds in the database and what becomes of them: claimed ones
// wait here for a slot and start in claim order; every one held has its lease renewed; those that
// will not run here go back to the queue, saying why.
import type { Logger } from '../logger.js';
import type { ClaimedTask, ReleaseReason, Store } from '../store/index.js';
import type { Runner } from './runner.js';
import { mayStart, takesNoWork, type SlotState } from './slots.js';

export function createHeldTasks(parts: { store: Store; workerId: string; log: Logger; state: SlotState; runner: Runner; wake: () => void }) {
  const { store, workerId, log, state, runner } = parts;
  /** Claimed, waiting for a slot (with prefetch, or created here while its slots were taken). */
  const queue: ClaimedTask[] = [];
  /**
   * Every task this executor holds in the database (queued, running, or waiting for its outcome to
   * be recorded): only their leases are renewed, so a claim whose reply was lost on a broken
   * connection is not kept alive forever but expires and is requeued.
   */
  const held = new Set<string>();
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

  /**
   * Hands back claimed tasks that will not start here, saying why (by default, from the state that
   * made it hand them back). If the database is away, their leases expire and they are requeued
   * anyway.
   */
  async function release(tasks: ClaimedTask[], reason: ReleaseReason = state.stopping ? 'shutdown' : state.paused ? 'paused' : 'scaled_to_zero') {
    if (tasks.length === 0) return;
    for (const task of tasks) held.delete(task.id);
    try {
      const released = await store.claims.release(workerId, tasks.map((t) => ({ id: t.id, attempt: t.attempts })), reason);
      log.info({ released: released.length, reason }, 'tasks handed back to the queue');
    } catch (error) {
      log.warn({ err: error, tasks: tasks.length }, 'could not hand tasks back; their leases will expire');
    }
  }

  return {
    queue,
    startQueued,
    release,
    /** Held ids, for the heartbeat that renews their leases. */
    ids: () => [...held],
    /** An outcome is committed: the task is no longer this executor's. */
    forget: (id: string) => held.delete(id),
    /**
     * Tasks a claim (or, `created`, the create statement) took for this executor. Paused, scaled
     * to zero or (created ones) stopping meanwhile: handed back now; at a stop, stop() hands back
     * the queue. Created ones start before those claimed ahead.
     */
    take(tasks: ClaimedTask[], created = false) {
      for (const task of tasks) held.add(task.id);
      if ((created && state.stopping) || (!state.stopping && takesNoWork(state))) void release(tasks);
      else if (created) queue.unshift(...tasks);
      else queue.push(...tasks);
      startQueued();
    },
    /** A task CANCELLED in the database: it is dropped, and its handler aborted if it runs here. */
    cancel(taskId: string) {
      const queued = queue.findIndex((t) => t.id === taskId);
      if (queued >= 0) queue.splice(queued, 1);
      held.delete(taskId);
      if (!runner.cancel(taskId)) return;
      startQueued();
      parts.wake();
    },
  };
}

export type HeldTasks = ReturnType<typeof createHeldTasks>;
