import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { TaskMetrics } from '../metrics.js';
import type { Store } from '../store/index.js';
import type { Registry } from '../tasks/handlers.js';
import type { TaskCreator } from '../tasks/creator.js';
import type { Subscriptions } from '../tasks/subscriptions.js';

/** What every resolver may use. Resolvers call these; they hold no SQL of their own. */
export interface Context {
  store: Store;
  registry: Registry;
  subscriptions: Subscriptions;
  creator: TaskCreator;
  metrics: TaskMetrics;
  maxPayloadBytes: number;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    DateTime: { Input: Date; Output: Date };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
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
