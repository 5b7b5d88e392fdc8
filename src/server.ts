// HTTP and WebSocket front: yoga serves GraphQL (queries, mutations, SSE subscriptions, GraphiQL)
// at /graphql, graphql-ws serves subscriptions over WebSocket on the same path, /health and
// /ready answer probes, and / serves the dashboard's built files.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { authenticate, bearer, type Principal, type StoredKey } from './auth.js';
import type { Context } from './graphql/builder.js';
import { createErrorMasker } from './graphql/errors.js';
import { schema } from './graphql/schema.js';
import type { Limits } from './config.js';
import { documentLimitsRule } from './graphql/limits.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { useOperationMetrics } from './graphql/operation-metrics.js';
import { DEFAULT_WEB_ROOT, serveDashboard } from './static.js';

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

export interface ServerOptions {
  context: Omit<Context, 'principal' | 'open'>;
  apiKeys: readonly StoredKey[];
  limits: Limits;
  corsOrigins: readonly string[] | undefined;
  log: Logger;
  host: string;
  port: number;
  metrics: Metrics;
  /** Database reachable, migrations applied, listener connected. */
  ready(): Promise<boolean>;
  /** The dashboard's built files; web/dist by default. */
  webRoot?: string;
}

export function createServer(options: ServerOptions) {
  const log = options.log.child({ component: 'server' });
  const maskError = createErrorMasker(log);
  const open = options.apiKeys.length === 0;
  const principals = new WeakMap<object, Principal>();
  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }>({
    schema,
    context: (initial: { request: Request; principal?: Principal | null }) => ({
      ...options.context,
      open,
      // graphql-ws authenticated its connection once, in onConnect; HTTP requests bring a header.
      principal:
        initial.principal !== undefined
          ? initial.principal
          : authenticate(options.apiKeys, bearer(initial.request.headers.get('authorization'))),
    }),
    cors: options.corsOrigins
      ? { origin: [...options.corsOrigins], credentials: true, allowedHeaders: ['content-type', 'authorization', 'x-request-id'] }
      : open
        ? undefined
        : false,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    maskedErrors: { maskError: (error) => maskError(error) },
    plugins: [
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

  const http = createHttpServer(async (req, res) => {
    const path = req.url?.split('?')[0];
    // Every response carries a request id (the caller's, if it sent a sane one) for correlating logs.
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    const started = performance.now();
    res.once('finish', () => {
      const fields = { requestId, method: req.method, path, status: res.statusCode, ms: +(performance.now() - started).toFixed(1) };
      if (res.statusCode >= 500) log.warn(fields, 'request failed');
      else log.debug(fields, 'request');
    });
    if (path === '/health') return reply(res, 200, { status: 'ok' });
    if (path === '/ready') {
      const ready = await options.ready().catch(() => false);
      return reply(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable' });
    }
    if (path === '/metrics') {
      try {
        const body = await options.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': options.metrics.registry.contentType }).end(body);
      } catch (error) {
        log.warn({ err: error }, 'metrics collection failed');
        reply(res, 503, { status: 'metrics unavailable' });
      }
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > options.limits.maxBodyBytes) {
      res.setHeader('connection', 'close');
      return reply(res, 413, {
        errors: [{ message: `The request body is larger than ${options.limits.maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
      });
    }
    if (path && (await serveDashboard(options.webRoot ?? DEFAULT_WEB_ROOT, path, req, res))) return;
    return yoga(req, res);
  });

  // Sockets per client address are capped at the upgrade, before any work is done for them.
  const socketsByAddress = new Map<string, number>();
  const wss = new WebSocketServer({
    server: http,
    path: '/graphql',
    maxPayload: options.limits.maxBodyBytes,
    verifyClient: (info, done) => {
      const address = info.req.socket.remoteAddress ?? '';
      if ((socketsByAddress.get(address) ?? 0) >= options.limits.maxSocketsPerAddress) return done(false, 429, 'Too many connections');
      done(true);
    },
  });
  wss.on('connection', (socket, req) => {
    const address = req.socket.remoteAddress ?? '';
    socketsByAddress.set(address, (socketsByAddress.get(address) ?? 0) + 1);
    socket.once('close', () => {
      const left = (socketsByAddress.get(address) ?? 1) - 1;
      if (left > 0) socketsByAddress.set(address, left);
      else socketsByAddress.delete(address);
    });
  });
  const subscriptionsBySocket = new WeakMap<object, number>();
  const ws = useServer(
    {
      execute: (args) => (args.rootValue as { execute(a: ExecutionArgs): never }).execute(args),
      subscribe: (args) => (args.rootValue as { subscribe(a: ExecutionArgs): never }).subscribe(args),
      // With keys configured, a connection must present one in connection_init; a missing or
      // unknown key closes it with 4403. Scopes are then checked per subscription.
      onConnect: (ctx) => {
        if (open) return true;
        const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
        const key = bearer(typeof params.authorization === 'string' ? params.authorization : undefined) ??
          (typeof params.apiKey === 'string' ? params.apiKey : undefined);
        const principal = authenticate(options.apiKeys, key);
        if (!principal) return false;
        principals.set(ctx.extra.socket, principal);
        return true;
      },
      connectionInitWaitTimeout: options.limits.socketInitTimeoutMs,
      onComplete: (ctx) => {
        subscriptionsBySocket.set(ctx.extra.socket, Math.max(0, (subscriptionsBySocket.get(ctx.extra.socket) ?? 1) - 1));
      },
      onSubscribe: async (ctx, _id, payload) => {
        const active = subscriptionsBySocket.get(ctx.extra.socket) ?? 0;
        if (active >= options.limits.maxSubscriptionsPerSocket) {
          return [
            new GraphQLError(`At most ${options.limits.maxSubscriptionsPerSocket} subscriptions per connection`, {
              extensions: { code: 'RATE_LIMITED' },
            }),
          ];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          principal: principals.get(ctx.extra.socket) ?? null,
        });
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [maskError(error) as never];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors.map((e: unknown) => maskError(e) as never);
        subscriptionsBySocket.set(ctx.extra.socket, active + 1);
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => maskError(e) as never),
    },
    wss,
  );

  return {
    async start(): Promise<string> {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(options.port, options.host, () => resolve());
      });
      const { address, port } = http.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      return `http://${host}:${port}`;
    },
    webSockets: () => wss.clients.size,
    /** Closes sockets with 1001 so clients know to reconnect, then stops accepting requests. */
    async stop() {
      for (const socket of wss.clients) socket.close(1001, 'Server shutting down');
      await ws.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeIdleConnections();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        // SSE streams and keep-alive requests in flight must not hold the shutdown forever.
        setTimeout(() => {
          http.closeAllConnections();
          resolve();
        }, 2000).unref();
      });
    },
  };
}

function reply(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
