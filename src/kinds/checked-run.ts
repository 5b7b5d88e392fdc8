// A kind's handler with its checks enforced where it runs, embedded or remote: the input is
// checked again before the run (a task enqueued from SQL, or served by a worker whose server does
// not know the kind's schema, skipped the check at create; the value a Standard Schema gives back,
// a transform's or with its defaults, is what the handler gets), and the result after it. A kind
// with neither schemas nor a validate function runs as written, at no cost.
import { TaskFailure, type TaskHandler, type TaskKind } from '../tasks/kind.js';
import { describeIssues, type Checked } from '../tasks/schemas.js';

function valueOf(checked: Checked, what: 'input' | 'result', code: string, retryable: boolean): unknown {
  if (checked.ok) return checked.value;
  throw new TaskFailure(describeIssues(what, checked.issues), code, retryable);
}

export function checkedRun(kind: TaskKind): TaskHandler {
  const { input, result, validate, run } = kind;
  if (!input && !result && !validate) return run;
  return async (value, ctx) => {
    // A bad input is bad on every attempt: not retried.
    const problem = validate?.(value);
    if (problem) throw new TaskFailure(problem, 'INVALID_INPUT', false);
    const accepted = input ? valueOf(await input.check(value), 'input', 'INVALID_INPUT', false) : value;
    const produced = await run(accepted, ctx);
    return result ? valueOf(await result.check(produced), 'result', 'INVALID_RESULT', true) : produced;
  };
}
