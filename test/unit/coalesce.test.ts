// One run at a time; calls made during a run fold into one more run after it.
import { expect, it } from 'vitest';
import { coalesce } from '../../src/coalesce.js';

it('folds the calls made during a run into one run after it', async () => {
  const gates: Array<() => void> = [];
  let runs = 0;
  const run = coalesce(async () => {
    runs++;
    await new Promise<void>((resolve) => gates.push(resolve));
  });
  const first = run();
  expect(run.busy()).toBe(true);
  const second = run();
  const third = run();
  expect(second).toBe(first);
  expect(third).toBe(first);
  gates.shift()!();
  await new Promise((resolve) => setImmediate(resolve));
  expect(runs).toBe(2);
  gates.shift()!();
  await first;
  expect(runs).toBe(2);
  expect(run.busy()).toBe(false);
  await run.settled();
});

it('settled() waits for the run under way without asking for another', async () => {
  let release!: () => void;
  let runs = 0;
  const run = coalesce(async () => {
    runs++;
    await new Promise<void>((resolve) => (release = resolve));
  });
  void run();
  const settled = run.settled();
  release();
  await settled;
  expect(runs).toBe(1);
});
