import { sleep as wait, type TaskKind } from '../kind.js';
import { toKindSchema } from '../schemas.js';

const STEPS = 4;
const MAX_MS = 24 * 3600 * 1000;

/** Waits `ms`, reporting progress a few times; stops at once when aborted. */
export const sleep: TaskKind<{ ms: number }, { sleptMs: number }> = {
  description: 'Waits input.ms milliseconds, reporting progress four times; a cancel stops it at once.',
  input: toKindSchema(
    {
      type: 'object',
      properties: { ms: { type: 'number', minimum: 0, maximum: MAX_MS, description: 'How long to wait, in milliseconds.' } },
      required: ['ms'],
    },
    'sleep.input',
  ),
  async run({ ms }, ctx) {
    for (let step = 1; step <= STEPS; step++) {
      await wait(ms / STEPS, ctx.signal);
      void ctx.progress(step / STEPS, `slept ${Math.round((ms * step) / STEPS)} of ${ms} ms`);
    }
    return { sleptMs: ms };
  },
};
