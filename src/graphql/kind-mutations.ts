// The typed mutations of typed kinds: for each kind whose input has a schema,
// create<PascalName>Task(input: <PascalName>Input!, options: TaskOptionsInput), its input type
// generated from the schema. The schema is made per server from its kinds (an app's own kinds are
// known only when it starts); each mutation is createTask with the kind filled in, so its scopes,
// checks, errors and payload are createTask's.
import {
  assertValidSchema,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  lexicographicSortSchema,
  type GraphQLFieldConfigMap,
  type GraphQLInputObjectType,
} from 'graphql';
import type { TaskKind } from '../tasks/kind.js';
import { inputTypeOf, pascalCase } from './kind-input-type.js';

/** The name of a kind's typed mutation. */
const typedMutationName = (kind: string) => `create${pascalCase(kind)}Task`;

export function withKindMutations(base: GraphQLSchema, kinds: ReadonlyMap<string, TaskKind>): GraphQLSchema {
  const config = base.toConfig();
  const mutation = base.getMutationType()!;
  const createTask = mutation.getFields().createTask;
  const json = base.getType('JSON') as GraphQLScalarType;
  const options = base.getType('TaskOptionsInput') as GraphQLInputObjectType;
  const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
  const owner = new Map<string, string>();
  for (const [kind, definition] of [...kinds].sort(([a], [b]) => a.localeCompare(b))) {
    const schema = definition.input?.jsonSchema;
    if (!definition.input) continue;
    const name = typedMutationName(kind);
    const typeName = `${pascalCase(kind)}Input`;
    const clash = owner.get(name) ?? (mutation.getFields()[name] || base.getType(typeName) ? 'a built-in name' : undefined);
    if (clash) throw new Error(`the task kinds ${JSON.stringify(kind)} and ${clash} would both make the mutation ${name}: rename one`);
    owner.set(name, JSON.stringify(kind));
    const input = schema ? inputTypeOf(schema, typeName, json) : json;
    fields[name] = {
      type: createTask.type,
      description: definition.description ?? `Creates a task of kind ${JSON.stringify(kind)}: createTask with its input typed.`,
      args: {
        input: { type: new GraphQLNonNull(input) },
        options: { type: options, description: 'How it runs: every field of CreateTaskInput but kind and input.' },
      },
      resolve: (root, args: { input: unknown; options?: Record<string, unknown> | null }, ctx, info) =>
        createTask.resolve!(root, { input: { ...args.options, kind, input: plain(args.input) } }, ctx, info),
    };
  }
  if (Object.keys(fields).length === 0) return lexicographicSortSchema(base);
  const typed = new GraphQLObjectType({ ...mutation.toConfig(), fields: { ...mutation.toConfig().fields, ...fields } });
  const schema = new GraphQLSchema({ ...config, mutation: typed, types: config.types.filter((t) => t !== mutation) });
  assertValidSchema(schema);
  return lexicographicSortSchema(schema);
}

/** Input objects come from graphql-js without a prototype; a kind's schema and its handler get plain JSON. */
function plain(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
