// Due times on the monotonic clock (faked here), for the claim loop and external workers' long polls.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createDueTimes } from '../../src/tasks/due-times.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

it('keeps each due time a millisecond late, by kind, and forgets those passed', () => {
  const due = createDueTimes();
  const start = performance.now();
  const soon = due.add(100, 'a')!;
  const later = due.add(500, 'b')!;
  expect(soon).toBe(Math.ceil(start + 100) + 1);
  expect(due.earliest(-Infinity)).toBe(soon);
  expect(due.earliest(-Infinity, (kind) => kind === 'b')).toBe(later);
  expect(due.earliest(soon)).toBe(later);
  vi.advanceTimersByTime(200);
  due.forget(performance.now());
  expect(due.earliest(-Infinity)).toBe(later);
});

it('keeps no repeat, nothing already due, and nothing over an hour ahead', () => {
  const due = createDueTimes();
  expect(due.add(100, 'a')).toBeDefined();
  expect(due.add(100, 'a')).toBeUndefined();
  expect(due.add(100, 'other')).toBeDefined();
  expect(due.add(0)).toBeUndefined();
  expect(due.add(-5)).toBeUndefined();
  expect(due.add(3_600_001)).toBeUndefined();
  expect(due.earliest(-Infinity, (kind) => kind === 'none')).toBe(Infinity);
});

it('when full, the latest gives way to an earlier one, and a later one is not kept', () => {
  const due = createDueTimes();
  const kept = Array.from({ length: 1000 }, (_, i) => due.add(1001 + i)!);
  expect(kept.every((at) => at !== undefined)).toBe(true);
  expect(due.add(3000)).toBeUndefined();
  const early = due.add(10)!;
  expect(due.earliest(-Infinity)).toBe(early);
  // The latest (1,000 + 1,000 ms) gave way: nothing is due after the one before it.
  expect(due.earliest(kept[998])).toBe(Infinity);
  expect(due.earliest(kept[997])).toBe(kept[998]);
});
