// The timeouts of the attempts running in this process, checked on one timer for all of them: a
// timer per attempt, set at its start and cleared at its end, was a twentieth of the executor's
// CPU in a drain of short tasks. A timeout fires within CHECK_MS of its time.
import type { Attempt } from './attempt.js';

const CHECK_MS = 50;

export function createDeadlines(running: ReadonlyMap<string, Attempt>, timeOut: (attempt: Attempt) => void) {
  let timer: NodeJS.Timeout | undefined;

  function stop() {
    clearInterval(timer);
    timer = undefined;
  }

  function check() {
    const now = Date.now();
    for (const attempt of running.values()) if (attempt.deadline <= now) timeOut(attempt);
    // Stopped once nothing runs, not at every attempt's end: short tasks would set it again at once.
    if (running.size === 0) stop();
  }

  return {
    /** An attempt has started: its deadline is checked from now on. */
    watch() {
      if (timer) return;
      timer = setInterval(check, CHECK_MS);
      // A running handler keeps the process alive if it needs to; its deadline alone does not.
      timer.unref();
    },
    stop,
  };
}
