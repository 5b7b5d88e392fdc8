// The built-in task kinds, and the registry of the kinds a server runs: these and an app's own
// (createTaskServer({ kinds }), serve --kinds, TASK_KINDS), each run through its checks.
import { checkedRun } from '../kinds/checked-run.js';
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
  /** Every kind by name, as given (its schemas make its typed mutation). */
  definitions(): ReadonlyMap<string, TaskKind>;
}

export function createRegistry(kinds: Record<string, TaskKind> = builtInKinds): Registry {
  // Schemas are enforced inside run, so the runner knows nothing of them.
  const given: ReadonlyMap<string, TaskKind> = new Map(Object.entries(kinds));
  const map = new Map(Object.entries(kinds).map(([name, kind]) => [name, { ...kind, run: checkedRun(kind) }]));
  return {
    get: (kind) => map.get(kind),
    kinds: () => [...map.keys()].sort(),
    definitions: () => given,
  };
}
