import type { TaskKind } from '../kind.js';

/** The result is the input: the smallest complete round trip. */
export const echo: TaskKind = {
  run: (input) => input,
};
