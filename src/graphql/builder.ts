import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { Principal, Scope } from '../auth.js';
import { ClientError } from '../errors.js';
import type { TaskMetrics } from '../metrics.js';
import type { Flow, Store, Task } from '../store/index.js';
import type { TaskCreator } from '../tasks/creator.js';
import type { Subscriptions } from '../tasks/subscriptions.js';
import type { KindCatalog } from '../workers/catalog.js';
import type { ExternalWorkers } from '../workers/external.js';
import type { WorkerHub } from '../workers/hub.js';
import type { QueueHub } from '../queues/hub.js';

/** What every resolver may use. Resolvers call these; they hold no SQL of their own. */
export interface Context {
  store: Store;
  kinds: KindCatalog;
  workers: WorkerHub;
  queues: QueueHub;
  external: ExternalWorkers;
  subscriptions: Subscriptions;
  creator: TaskCreator;
  metrics: TaskMetrics;
  maxPayloadBytes: number;
  /** Who is asking; null when no valid key was presented. */
  principal: Principal | null;
  /** No keys configured: every scope is granted. */
  open: boolean;
  /** The paused queues, read once per request when a field asks. */
  pausedQueues(): Promise<Set<string>>;
  /** A task or a flow by id, read together with the others asked for in the same turn (src/batch.ts). */
  task(id: string): Promise<Task | null>;
  flow(id: string): Promise<Flow | null>;
  /** The HTTP request (absent over graphql-ws): its signal fires when the client goes away. */
  request?: Request;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    DateTime: { Input: Date; Output: Date };
  };
  DefaultFieldNullability: false;
  AuthScopes: Record<Scope, boolean>;
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // Subscriptions are checked when they start, not on every event.
    authorizeOnSubscribe: true,
    authScopes: (ctx) => {
      const has = (scope: Scope) => ctx.open || (ctx.principal?.scopes.has(scope) ?? false);
      return { read: has('read'), write: has('write'), worker: has('worker'), admin: has('admin') };
    },
    unauthorizedError: (_parent, ctx) =>
      ctx.open || ctx.principal
        ? new ClientError('FORBIDDEN', 'This API key does not have the scope this field needs')
        : new ClientError('UNAUTHENTICATED', 'An API key is required: send Authorization: Bearer <key>'),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // Task ids are plain ids users type and store; no global-id node lookup is offered.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
