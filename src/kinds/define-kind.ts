// defineKind: a task kind as an app writes it, with its name and, optionally, schemas for its input
// and result in any Standard Schema library or JSON Schema. The schemas are checked where the task
// is created and where it runs, and generate the kind's typed GraphQL mutation.
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { KIND_NAME, type TaskHandler, type TaskKind } from '../tasks/kind.js';
import { toKindSchema, type JsonSchema, type SchemaSource } from '../tasks/schemas.js';

type Infer<S, Fallback> = S extends StandardSchemaV1<unknown, infer O> ? O : Fallback;

export interface KindDefinition<In extends SchemaSource | undefined, Out extends SchemaSource | undefined> {
  name: string;
  description?: string;
  input?: In;
  result?: Out;
  run: TaskHandler<Infer<In, any>, Infer<Out, unknown>>;
}

export interface DefinedKind<I = any, R = unknown> extends TaskKind<I, R> {
  readonly name: string;
}

export function defineKind<In extends StandardSchemaV1 | JsonSchema | undefined = undefined, Out extends StandardSchemaV1 | JsonSchema | undefined = undefined>(
  definition: KindDefinition<In, Out>,
): DefinedKind<Infer<In, any>, Infer<Out, unknown>> {
  const { name, description, input, result, run } = definition;
  if (typeof name !== 'string' || !KIND_NAME.test(name)) {
    throw new TypeError(`defineKind: name must be 1 to 100 letters, digits, ".", "_", ":", "/" or "-", starting with a letter or digit; got ${JSON.stringify(name)}`);
  }
  if (typeof run !== 'function') throw new TypeError(`defineKind(${name}): run must be a function`);
  return Object.freeze({
    name,
    description,
    run,
    input: input === undefined ? undefined : toKindSchema(input, `defineKind(${name}).input`),
    result: result === undefined ? undefined : toKindSchema(result, `defineKind(${name}).result`),
  });
}
