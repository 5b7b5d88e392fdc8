// HTTP and WebSocket front: yoga serves GraphQL (queries, mutations, SSE subscriptions, GraphiQL)
// at /graphql (graphql/yoga.ts), graphql-ws serves subscriptions over WebSocket on the same path
// (websocket.ts), /health and /ready answer probes, /metrics is scraped, and / serves the
// dashboard's built files.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createErrorMasker } from './graphql/errors.js';
import { createGraphqlEndpoint, type YogaOptions } from './graphql/yoga.js';
import { DEFAULT_WEB_ROOT, serveDashboard } from './static.js';
import { serveWebSockets } from './websocket.js';

export interface ServerOptions extends Omit<YogaOptions, 'maskError'> {
  host: string;
  port: number;
  /** Database reachable, migrations applied, listener connected. */
  ready(): Promise<boolean>;
  /** The dashboard's built files; web/dist by default. */
  webRoot?: string;
}

export function createServer(options: ServerOptions) {
  const log = options.log.child({ component: 'server' });
  const maskError = createErrorMasker(log);
  const yoga = createGraphqlEndpoint({ ...options, log, maskError });
  const http = createHttpServer((req, res) => void route(req, res));
  const sockets = serveWebSockets(http, { yoga, apiKeys: options.apiKeys, limits: options.limits, maskError });

  async function route(req: IncomingMessage, res: ServerResponse) {
    const path = req.url?.split('?')[0];
    logRequest(req, res, path);
    if (path === '/health') return reply(res, 200, { status: 'ok' });
    if (path === '/ready') {
      const ready = await options.ready().catch(() => false);
      return reply(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable' });
    }
    if (path === '/metrics') return serveMetrics(res);
    if (Number(req.headers['content-length'] ?? 0) > options.limits.maxBodyBytes) {
      res.setHeader('connection', 'close');
      return reply(res, 413, {
        errors: [{ message: `The request body is larger than ${options.limits.maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
      });
    }
    if (path && (await serveDashboard(options.webRoot ?? DEFAULT_WEB_ROOT, path, req, res))) return;
    return yoga(req, res);
  }

  /** Every response carries a request id (the caller's, if it sent a sane one) for correlating logs. */
  function logRequest(req: IncomingMessage, res: ServerResponse, path: string | undefined) {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    const started = performance.now();
    res.once('finish', () => {
      const fields = { requestId, method: req.method, path, status: res.statusCode, ms: +(performance.now() - started).toFixed(1) };
      if (res.statusCode >= 500) log.warn(fields, 'request failed');
      else log.debug(fields, 'request');
    });
  }

  async function serveMetrics(res: ServerResponse) {
    try {
      const body = await options.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': options.metrics.registry.contentType }).end(body);
    } catch (error) {
      log.warn({ err: error }, 'metrics collection failed');
      reply(res, 503, { status: 'metrics unavailable' });
    }
  }

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
    webSockets: sockets.count,
    /** Closes sockets with 1001 so clients know to reconnect, then stops accepting requests. */
    async stop() {
      await sockets.close();
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
