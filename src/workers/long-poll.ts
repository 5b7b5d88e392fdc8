// How an external worker's claimTasks waits when nothing is ready: until new work is notified, a
// task of its kinds becomes due, the wait ends, or the client goes away (or the server stops).
import type { EventPump } from '../tasks/events.js';
import { createDueTimes } from '../tasks/due-times.js';

export const MAX_WAIT_SECONDS = 60;

export function createLongPoll(pump: EventPump) {
  /** Ends every wait at shutdown, so the server is not held open by waiting clients. */
  const shutdown = new AbortController();
  /**
   * When tasks made pending for later become due, by kind, from due notices. Kept beyond the wait
   * that hears one: the notice comes with the creation's wake-up, which ends that wait, and the
   * claim that follows is too early for the task.
   */
  const dueTimes = createDueTimes();
  /** Each wait under way, told of every due time added. */
  const waits = new Set<(at: number, kind: string) => void>();
  const stopDue = pump.onDue((inMs, kind) => {
    // Those due before any wait now under way last claimed no wait can need.
    dueTimes.forget(performance.now() - 2 * MAX_WAIT_SECONDS * 1000);
    const at = dueTimes.add(inMs, kind);
    if (at !== undefined) for (const heard of waits) heard(at, kind);
  });

  /**
   * Resolves after ms, on new work, when a task of `kinds` becomes due that the claim made at
   * `claimedAt` (performance.now()) was too early for, or on abort, whichever is first.
   */
  function waitForWork(ms: number, kinds: readonly string[], claimedAt: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const serves = new Set(kinds);
      let wakeAt = performance.now() + ms;
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        waits.delete(heard);
        stopWake();
        signal?.removeEventListener('abort', done);
        shutdown.signal.removeEventListener('abort', done);
        resolve();
      };
      const wakeBy = (at: number) => {
        if (at >= wakeAt) return;
        wakeAt = at;
        clearTimeout(timer);
        timer = setTimeout(done, Math.max(0, at - performance.now()));
      };
      const heard = (at: number, kind: string) => {
        if (at > claimedAt && serves.has(kind)) wakeBy(at);
      };
      const stopWake = pump.onWake(done);
      signal?.addEventListener('abort', done);
      shutdown.signal.addEventListener('abort', done);
      timer = setTimeout(done, ms);
      waits.add(heard);
      wakeBy(dueTimes.earliest(claimedAt, (kind) => serves.has(kind)));
    });
  }

  return {
    waitForWork,
    /** The server is stopping: no wait goes on. */
    stopped: () => shutdown.signal.aborted,
    stop() {
      stopDue();
      shutdown.abort();
    },
  };
}
