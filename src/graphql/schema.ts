import type { GraphQLSchema } from 'graphql';
import { builtInKinds } from '../tasks/handlers.js';
import type { TaskKind } from '../tasks/kind.js';
import { builder } from './builder.js';
import './scalars.js';
import './task-status.js';
import './task.js';
import './task-connection.js';
import './flow.js';
import './task-mutations.js';
import './queue.js';
import './schedule.js';
import './task-event.js';
import './task-stats.js';
import './task-log.js';
import './worker.js';
import './worker-protocol.js';
import { withKindMutations } from './kind-mutations.js';

const built = builder.toSchema();

/** The schema of a server that runs these kinds: the built one with their typed mutations. */
export const schemaFor = (kinds: ReadonlyMap<string, TaskKind>): GraphQLSchema => withKindMutations(built, kinds);

/** With the built-in kinds: what schema.graphql holds. */
export const schema = schemaFor(new Map(Object.entries(builtInKinds)));
