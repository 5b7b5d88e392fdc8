// A kind's handler with its schemas enforced where it runs, embedded or remote: the input is
// checked again before the run (a task enqueued from SQL skipped the check at create; the value
// a Standard Schema gives back, with its defaults, is what the handler gets), and the result after
// it. A kind without schemas runs as written, at no cost.
import { TaskFailure, type TaskHandler, type TaskKind } from '../tasks/kind.js';
import { describeIssues, type Checked } from '../tasks/schemas.js';

const settled = <T>(value: T | Promise<T>, then: (v: T) => unknown) => (value instanceof Promise ? value.then(then) : then(value));

function valueOf(checked: Checked, what: 'input' | 'result', code: string, retryable: boolean): unknown {
  if (checked.ok) return checked.value;
  throw new TaskFailure(describeIssues(what, checked.issues), code, retryable);
}

export function checkedRun(kind: TaskKind): TaskHandler {
  const { input, result, run } = kind;
  if (!input && !result) return run;
  return async (value, ctx) => {
    // A bad input is bad on every attempt: not retried.
    const accepted = input ? await settled(input.check(value), (c) => valueOf(c, 'input', 'INVALID_INPUT', false)) : value;
    const produced = await run(accepted, ctx);
    return result ? settled(result.check(produced), (c) => valueOf(c, 'result', 'INVALID_RESULT', true)) : produced;
  };
}
