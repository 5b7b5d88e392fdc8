// How many tasks the embedded executor claims and starts, from its state.
import { expect, it } from 'vitest';
import { claimLimit, MAX_UNRECORDED, mayStart, reservable, type SlotState } from '../../src/tasks/slots.js';

const state = (change: Partial<SlotState> = {}): SlotState => ({
  concurrency: 4, prefetch: 0, paused: false, stopping: false, reserved: 0, unrecorded: 0, ...change,
});

it('claims its free slots, plus the prefetch once the local queue is half empty', () => {
  expect(claimLimit(state(), 1, 0)).toBe(3);
  expect(claimLimit(state({ reserved: 2 }), 1, 0)).toBe(1);
  expect(claimLimit(state({ prefetch: 10 }), 4, 5)).toBe(5);
  expect(claimLimit(state({ prefetch: 10 }), 4, 6)).toBe(0);
});

it('claims nothing paused, scaled to zero or stopping', () => {
  expect(claimLimit(state({ paused: true }), 0, 0)).toBe(0);
  expect(claimLimit(state({ concurrency: 0, prefetch: 10 }), 0, 0)).toBe(0);
  expect(claimLimit(state({ stopping: true }), 0, 0)).toBe(0);
});

it('starts a queued task only in a free slot, and not past the unrecorded outcomes it may hold', () => {
  expect(mayStart(state(), 3)).toBe(true);
  expect(mayStart(state(), 4)).toBe(false);
  expect(mayStart(state({ reserved: 1 }), 3)).toBe(false);
  expect(mayStart(state({ unrecorded: MAX_UNRECORDED }), 0)).toBe(false);
  expect(mayStart(state({ paused: true }), 0)).toBe(false);
});

it('holds free slots for tasks created here, never more than are free', () => {
  expect(reservable(state(), 10, 1)).toBe(3);
  expect(reservable(state({ reserved: 3 }), 10, 1)).toBe(0);
  expect(reservable(state(), 2, 0)).toBe(2);
  expect(reservable(state({ paused: true }), 2, 0)).toBe(0);
  expect(reservable(state({ concurrency: 1 }), 2, 3)).toBe(0);
});
