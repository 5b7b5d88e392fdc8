// The task kinds this server runs. To add one: write a module under kinds/ that exports a
// TaskKind, then add it to the object below. That is the whole registration.
import type { TaskKind } from './kind.js';
import { echo } from './kinds/echo.js';
import { fail } from './kinds/fail.js';
import { sleep } from './kinds/sleep.js';

export const builtInKinds: Record<string, TaskKind> = {
  echo,
  sleep,
  fail,
};

export interface Registry {
  get(kind: string): TaskKind | undefined;
  kinds(): string[];
}

export function createRegistry(kinds: Record<string, TaskKind> = builtInKinds): Registry {
  const map = new Map(Object.entries(kinds));
  return {
    get: (kind) => map.get(kind),
    kinds: () => [...map.keys()].sort(),
  };
}
