// The input of a new task: CreateTaskInput (createTask, createTasks) and FlowTaskInput (createFlow),
// which has the same fields, a ref, and dependencies named by ref or id.
import { builder } from './builder.js';

const UniqueWhileEnum = builder.enumType('UniqueWhile', {
  values: {
    ACTIVE: { description: 'The key is taken while its task is PENDING or RUNNING.' },
    FOR_SECONDS: { description: 'The key is taken for uniqueSeconds from the creation of its task, whatever becomes of it.' },
  } as const,
});

type Fields = Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0];

/** How a new task runs, whichever mutation creates it. */
const optionFields = (t: Fields) => ({
  priority: t.int({ description: 'Higher runs first; -1000 to 1000; default 0.' }),
  runAt: t.field({ type: 'DateTime', description: 'Do not run before this time; default now.' }),
  maxAttempts: t.int({ description: 'Attempts before the task fails for good; default 3.' }),
  timeoutSeconds: t.int({ description: 'An attempt running longer is aborted; default 1800.' }),
  idempotencyKey: t.string({ description: 'A repeated key returns the existing task instead of a new one, for good. Not with dependsOn.' }),
  queue: t.string({ description: 'The queue whose rules it runs under: 1 to 64 letters, digits, ".", "_" or "-"; default "default".' }),
  concurrencyKey: t.string({ description: "Tasks of its queue with the same key run at most the queue's keyConcurrency (default 1) at once, in priority and runAt order; other keys go on." }),
  uniqueKey: t.string({
    description: 'While a task with this key is PENDING or RUNNING (or, with FOR_SECONDS, for that long), createTask returns it instead of a new one (deduplicated: true). Unlike idempotencyKey, the key is free again afterwards. Not with dependsOn.',
  }),
  uniqueWhile: t.field({ type: UniqueWhileEnum, description: 'How long uniqueKey is taken; default ACTIVE. A key taken FOR_SECONDS and the same key taken ACTIVE do not exclude each other.' }),
  uniqueSeconds: t.int({ description: 'With uniqueWhile FOR_SECONDS: for how many seconds.' }),
  runIfDependenciesFail: t.boolean({
    description: 'Run once every dependency has ended, whatever its outcome; by default a dependency that fails, is cancelled or times out cancels this task (DEPENDENCY_FAILED).',
  }),
});

/** The fields every new task has. */
const taskFields = (t: Fields) => ({
  kind: t.string({ required: true }),
  input: t.field({ type: 'JSON', description: 'Passed to the handler as is (a typed kind checks it against its schema).' }),
  ...optionFields(t),
});

const dependsOnIds = (t: Fields) =>
  t.idList({
    description: 'Tasks that must complete first: until then this task is WAITING, and PENDING in the statement that completes the last of them.',
  });

export const CreateTaskInput = builder.inputType('CreateTaskInput', {
  fields: (t) => ({ ...taskFields(t), dependsOn: dependsOnIds(t) }),
});

/** The options of a typed kind's create<Kind>Task mutation: CreateTaskInput but its kind and input. */
export const TaskOptionsInput = builder.inputType('TaskOptionsInput', {
  fields: (t) => ({ ...optionFields(t), dependsOn: dependsOnIds(t) }),
});

export const FlowTaskInput = builder.inputType('FlowTaskInput', {
  fields: (t) => ({
    ...taskFields(t),
    ref: t.string({ required: true, description: 'Its name within the flow, for the dependsOn of the others.' }),
    dependsOn: t.stringList({ description: 'Refs of tasks of this flow, or ids of existing tasks, that must complete first.' }),
  }),
});
