import { sleep as wait, type TaskKind } from '../kind.js';

const STEPS = 4;
const MAX_MS = 24 * 3600 * 1000;

/** Waits `ms`, reporting progress a few times; stops at once when aborted. */
export const sleep: TaskKind<{ ms: number }, { sleptMs: number }> = {
  validate(input) {
    const ms = (input as { ms?: unknown } | null)?.ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_MS) {
      return `sleep needs input { ms: number } with 0 <= ms <= ${MAX_MS}`;
    }
  },
  async run({ ms }, ctx) {
    for (let step = 1; step <= STEPS; step++) {
      await wait(ms / STEPS, ctx.signal);
      void ctx.progress(step / STEPS, `slept ${Math.round((ms * step) / STEPS)} of ${ms} ms`);
    }
    return { sleptMs: ms };
  },
};
