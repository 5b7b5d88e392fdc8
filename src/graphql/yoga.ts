// The GraphQL endpoint: yoga with the schema, each request's principal from its Authorization
// header (graphql-ws connections bring theirs from connection_init), the document limits, the
// operation metrics and traces, CORS, and the playground served whole from here (no CDN).
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { batched } from '../batch.js';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, bearer, type Principal, type StoredKey } from '../auth.js';
import type { Limits } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Context } from './builder.js';
import { documentLimitsRule } from './limits.js';
import { useOperationMetrics } from './operation-metrics.js';
import { useOperationTraces } from './operation-traces.js';

const EXAMPLE = `# Create a task, then follow it live: run "Follow" with the id you got back.
mutation Create {
  createTask(input: { kind: "sleep", input: { ms: 3000 } }) {
    task { id status }
  }
}

subscription Follow($id: ID! = "1") {
  taskUpdated(id: $id) { id status progress progressMessage result error { code message } }
}
`;

export interface YogaOptions {
  /** The schema with this server's kinds' typed mutations (schema.ts schemaFor). */
  schema: GraphQLSchema;
  context: Omit<Context, 'principal' | 'open' | 'pausedQueues' | 'task' | 'flow'>;
  apiKeys: readonly StoredKey[];
  limits: Limits;
  corsOrigins: readonly string[] | undefined;
  metrics: Metrics;
  log: Logger;
  maskError(error: unknown): Error;
}

export function createGraphqlEndpoint(options: YogaOptions) {
  const { log } = options;
  const open = options.apiKeys.length === 0;
  return createYoga<{ req: IncomingMessage; res: ServerResponse }>({
    schema: options.schema,
    context: (initial: { request: Request; principal?: Principal | null }) => ({
      ...options.context,
      open,
      pausedQueues: once(() => options.context.store.queues.pausedQueues()),
      task: batched((ids) => options.context.store.tasks.getTasks(ids)),
      flow: batched((ids) => options.context.store.flows.getFlows(ids)),
      // graphql-ws authenticated its connection once, in onConnect; HTTP requests bring a header.
      principal:
        initial.principal !== undefined
          ? initial.principal
          : authenticate(options.apiKeys, bearer(initial.request.headers.get('authorization'))),
    }),
    cors: options.corsOrigins
      ? { origin: [...options.corsOrigins], credentials: true, allowedHeaders: ['content-type', 'authorization', 'x-request-id', 'traceparent', 'tracestate'] }
      : open
        ? undefined
        : false,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    maskedErrors: { maskError: (error) => options.maskError(error) },
    plugins: [
      useOperationTraces(),
      useOperationMetrics(options.metrics),
      {
        onValidate: ({ addValidationRule }) =>
          addValidationRule(documentLimitsRule({ maxDepth: options.limits.maxQueryDepth, maxFields: options.limits.maxQueryFields })),
      } satisfies Plugin,
    ],
    // The playground's code is bundled and served from here: it works with no internet access.
    renderGraphiQL,
    // With keys on, the playground subscribes over SSE, which carries the Headers tab's Authorization.
    graphiql: { defaultQuery: EXAMPLE, subscriptionsProtocol: open ? 'WS' : 'SSE', title: 'Task executor' },
    logging: {
      debug: (...args) => log.debug(args.join(' ')),
      info: (...args) => log.info(args.join(' ')),
      warn: (...args) => log.warn(args.join(' ')),
      // Yoga reports every error a client caused; those are answered, not server faults.
      error: (...args) => (args[0] instanceof GraphQLError ? log.debug(String(args[0])) : log.error(args.join(' '))),
    },
  });
}

export type GraphqlEndpoint = ReturnType<typeof createGraphqlEndpoint>;

/** fn's promise, made on the first call and shared by later ones. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= fn());
}
