// The worker's waits, each one ended early by the stop signal, so a stop never sits out a backoff
// or a wait for a free slot.

/** Resolves after ms, or at once when the signal fires (never rejects). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Something changed (a slot freed, the concurrency was set): wakes whoever waits for that. */
export function createNotifier() {
  let waiters: Array<() => void> = [];
  return {
    notify() {
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
    },
    /** Resolves at the next notify, after ms, or when the signal fires, whichever is first. */
    next(ms: number, signal?: AbortSignal): Promise<void> {
      return new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          waiters = waiters.filter((w) => w !== done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
        waiters.push(done);
      });
    },
  };
}
