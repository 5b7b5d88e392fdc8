// How many tasks the executor claims ahead of its free slots, from how deep the queue is and how
// fast this process runs its tasks (a fake clock).
import { expect, it } from 'vitest';
import { adaptivePrefetch, fixedPrefetch } from '../../src/tasks/prefetch.js';

function clocked() {
  let t = 0;
  const prefetch = adaptivePrefetch({ max: 500, horizonMs: 100, now: () => t });
  /** A claim answers (full or not), then `n` attempts settle over `ms`, and the next claim asks how many ahead. */
  const claim = (full: boolean, n: number, ms: number) => {
    prefetch.claimed(full);
    for (let i = 0; i < n; i++) prefetch.settled();
    t += ms;
    return prefetch.ahead();
  };
  return { prefetch, claim };
}

it('claims nothing ahead before its first claim, and while the queue is shallow however fast tasks go', () => {
  const { prefetch, claim } = clocked();
  expect(prefetch.ahead()).toBe(0);
  expect(claim(false, 1000, 10)).toBe(0);
});

it('claims ahead while the queue is deep, as much as it runs in the horizon, up to the most', () => {
  // 24 in 4 ms: 600 in 100 ms, above the most.
  expect(clocked().claim(true, 24, 4)).toBe(500);
  // 1 a ms: 100 in the horizon.
  const slow = clocked();
  for (let i = 0; i < 8; i++) slow.claim(true, 10, 10);
  expect(slow.claim(true, 10, 10)).toBe(100);
});

it('holds next to nothing ahead for slow tasks (24 a second is 2 in 100 ms), and nothing once the queue runs dry', () => {
  const { claim } = clocked();
  for (let i = 0; i < 8; i++) claim(true, 24, 1000);
  expect(claim(true, 24, 1000)).toBe(2);
  expect(claim(false, 24, 1000)).toBe(0);
});

it('reads the rate over the last claims only, so it follows a change of pace', () => {
  const { claim } = clocked();
  for (let i = 0; i < 10; i++) claim(true, 1, 100);
  expect(claim(true, 1, 100)).toBe(1);
  for (let i = 0; i < 8; i++) claim(true, 300, 10);
  expect(claim(true, 300, 10)).toBe(500);
});

it('a fixed prefetch is what it says', () => {
  const fixed = fixedPrefetch(250);
  fixed.claimed(false);
  expect(fixed.ahead()).toBe(250);
});
