// A task kind that runs until the test opens its gate, so a task stays RUNNING as long as a test
// needs it to. Opened before the handler is called, the gate still lets it through.
import type { TaskKind } from '../../src/tasks/kind.js';

export function createGate() {
  let open = () => {};
  let gate = Promise.resolve();
  return {
    kind: { run: () => gate } satisfies TaskKind as TaskKind,
    /** Shuts the gate for the tasks that start from now on. */
    close() {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    open: () => open(),
  };
}
