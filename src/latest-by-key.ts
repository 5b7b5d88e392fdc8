// A live stream that keeps only each key's latest value (a queue's, a worker's): a slow consumer
// skips a key's intermediate values, never a key, and memory stays one value per key.

/**
 * Yields `first()`'s values, then each value `follow` reports, the latest per key. Ends when the
 * consumer returns. A value reported while `first()` is read wins over that read's for its key.
 */
export async function* latestByKey<T>(
  follow: (onValue: (value: T) => void) => () => void,
  keyOf: (value: T) => string,
  first: () => Promise<readonly T[]> = async () => [],
): AsyncGenerator<T> {
  const latest = new Map<string, T>();
  let wakeUp: (() => void) | undefined;
  const stop = follow((value) => {
    const key = keyOf(value);
    // Moved to the end: keys come out in the order they last changed.
    latest.delete(key);
    latest.set(key, value);
    wakeUp?.();
  });
  try {
    for (const value of await first()) if (!latest.has(keyOf(value))) latest.set(keyOf(value), value);
    for (;;) {
      if (latest.size === 0) await new Promise<void>((resolve) => (wakeUp = resolve));
      wakeUp = undefined;
      for (const [key, value] of latest) {
        latest.delete(key);
        yield value;
      }
    }
  } finally {
    stop();
  }
}
