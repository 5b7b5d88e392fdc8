/**
 * Runs fn one call at a time: a call made while it runs is folded into one more run right after,
 * and gets the promise that covers it. For reads that must see everything committed before the
 * call, without piling up one statement per call.
 */
export function coalesce(fn: () => Promise<void>) {
  let running: Promise<void> | undefined;
  let again = false;
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await fn();
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  return Object.assign(run, {
    busy: () => running !== undefined,
    /** Resolves when the run under way, if any, has ended (without asking for another). */
    settled: () => running ?? Promise.resolve(),
  });
}
