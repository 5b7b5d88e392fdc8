// Subscriptions over WebSocket (graphql-ws) on /graphql, through the same yoga envelope as HTTP:
// the same schema, context, validation rules and error masking. Sockets per client address are
// capped at the upgrade, subscriptions per socket at subscribe; with API keys, a connection must
// present one in connection_init (a missing or unknown key closes it with 4403).
import type { Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { authenticate, bearer, type Principal, type StoredKey } from './auth.js';
import type { Limits } from './config.js';
import type { GraphqlEndpoint } from './graphql/yoga.js';

export function serveWebSockets(http: Server, options: { yoga: GraphqlEndpoint; apiKeys: readonly StoredKey[]; limits: Limits; maskError(error: unknown): Error }) {
  const { yoga, limits, maskError } = options;
  const open = options.apiKeys.length === 0;
  const principals = new WeakMap<object, Principal>();
  const socketsByAddress = new Map<string, number>();
  const wss = new WebSocketServer({
    server: http,
    path: '/graphql',
    maxPayload: limits.maxBodyBytes,
    verifyClient: (info, done) => {
      const address = info.req.socket.remoteAddress ?? '';
      if ((socketsByAddress.get(address) ?? 0) >= limits.maxSocketsPerAddress) return done(false, 429, 'Too many connections');
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
  const server = useServer(
    {
      execute: (args) => (args.rootValue as { execute(a: ExecutionArgs): never }).execute(args),
      subscribe: (args) => (args.rootValue as { subscribe(a: ExecutionArgs): never }).subscribe(args),
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
      connectionInitWaitTimeout: limits.socketInitTimeoutMs,
      onComplete: (ctx) => {
        subscriptionsBySocket.set(ctx.extra.socket, Math.max(0, (subscriptionsBySocket.get(ctx.extra.socket) ?? 1) - 1));
      },
      onSubscribe: async (ctx, _id, payload) => {
        const active = subscriptionsBySocket.get(ctx.extra.socket) ?? 0;
        if (active >= limits.maxSubscriptionsPerSocket) {
          return [new GraphQLError(`At most ${limits.maxSubscriptionsPerSocket} subscriptions per connection`, { extensions: { code: 'RATE_LIMITED' } })];
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
        const contextValue = await contextFactory();
        return { schema, operationName: payload.operationName, document, variableValues: payload.variables, contextValue, rootValue: { execute, subscribe } };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => maskError(e) as never),
    },
    wss,
  );
  return {
    count: () => wss.clients.size,
    /** Closes sockets with 1001 so clients know to reconnect. */
    async close() {
      for (const socket of wss.clients) socket.close(1001, 'Server shutting down');
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
