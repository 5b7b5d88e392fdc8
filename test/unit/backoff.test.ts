// The one backoff, and the retried reads that use it, on fake timers: no test waits real seconds.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { backoffMs } from '../../src/backoff.js';
import { retrying, transient } from '../../src/tasks/retry.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

it('doubles from the base up to the cap, each wait between half and all of it', () => {
  const low = () => 0;
  const high = () => 1 - Number.EPSILON;
  expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 100, 2000, high))).toEqual([100, 200, 400, 800, 1600, 2000]);
  expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 100, 2000, low))).toEqual([50, 100, 200, 400, 800, 1000]);
  // Attempts past 2^30 do not overflow; an attempt below 1 counts as the first.
  expect(backoffMs(5000, 100, 60_000, high)).toBe(60_000);
  expect(backoffMs(0, 100, 60_000, high)).toBe(100);
  expect(backoffMs(3, 0, 60_000)).toBe(0);
});

it('spreads waiters that failed together', () => {
  const waits = new Set(Array.from({ length: 50 }, () => backoffMs(4, 1000, 60_000)));
  expect(waits.size).toBeGreaterThan(10);
  for (const wait of waits) {
    expect(wait).toBeGreaterThanOrEqual(4000);
    expect(wait).toBeLessThanOrEqual(8000);
  }
});

it('retries a read through connection trouble, backing off, until it succeeds', async () => {
  const lost = Object.assign(new Error('connection lost'), { code: 'CONNECTION_CLOSED' });
  let calls = 0;
  const read = vi.fn(async () => {
    if (++calls < 4) throw lost;
    return 'rows';
  });
  const result = retrying(read);
  await vi.advanceTimersByTimeAsync(49);
  expect(read).toHaveBeenCalledTimes(1);
  await vi.advanceTimersByTimeAsync(100 + 200 + 400);
  expect(await result).toBe('rows');
  expect(read).toHaveBeenCalledTimes(4);
});

it('does not retry what the database refused, nor once told to stop', async () => {
  const refused = Object.assign(new Error('invalid input'), { code: '22P02' });
  await expect(retrying(async () => Promise.reject(refused))).rejects.toBe(refused);
  const lost = Object.assign(new Error('gone'), { code: '57P01' });
  await expect(retrying(async () => Promise.reject(lost), () => true)).rejects.toBe(lost);
  expect([refused, lost, new Error('no code'), { code: 'ECONNREFUSED' }, { code: '08006' }, { code: '53300' }].map(transient)).toEqual([
    false, true, true, true, true, true,
  ]);
});
