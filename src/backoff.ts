// The one backoff of the product: a task's retries, reads retried while the database is away, the
// listener's reconnects, outcomes that could not be recorded, and the dashboard's reconnects. Pure
// (no Node APIs), so the dashboard's bundle shares it.

/**
 * Exponential backoff with jitter: the n-th wait (n from 1) lies between half and all of
 * base * 2^(n-1), capped at max, so many waiters that failed together do not retry together.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  return Math.round(full / 2 + random() * (full / 2));
}

export const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
