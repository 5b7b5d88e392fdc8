// Reads that live subscriptions depend on are retried while the database is away (a dropped
// connection, a restart), instead of ending every stream with an error: the subscriber just waits,
// within its buffer, and then gets everything in order.
import { backoffMs, sleepMs } from '../backoff.js';

/** Runs fn until it succeeds, backing off from 100 ms to 2 s between tries; gives up once `until` says so. */
export async function retrying<T>(fn: () => Promise<T>, until: () => boolean = () => false): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (until() || !transient(error)) throw error;
      await sleepMs(backoffMs(attempt, 100, 2000));
    }
  }
}

/** Connection trouble, as opposed to a statement the database refuses. */
export function transient(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return true;
  // SQLSTATE classes 08 (connection), 57 (shutdown, cancel), 53 (resources); or a driver code
  // like CONNECTION_CLOSED, ECONNREFUSED, ECONNRESET.
  return /^(08|57|53)/.test(code) || !/^[0-9A-Z]{5}$/.test(code);
}
