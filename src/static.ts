// Serves the dashboard's built files (web/dist, made by `npm run build`) at / and /assets/.
// Only index.html and flat file names under assets/ are ever opened, so no request path can reach
// outside the directory. Vite puts a content hash in every asset name: those are cached for a year,
// while index.html is revalidated on each load so a new build is picked up at once.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../web/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

// The page talks only to this origin: HTTP for queries, ws(s) for subscriptions.
const CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** True when `path` belongs to the dashboard (and has been answered). */
export async function serveDashboard(root: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  let file: string;
  let immutable = false;
  if (path === '/' || path === '/index.html') file = 'index.html';
  else if (/^\/assets\/[\w-][\w.-]*$/.test(path) && !path.includes('..')) {
    file = join('assets', path.slice('/assets/'.length));
    immutable = true;
  } else return false;

  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
    return true;
  }
  let body: Buffer;
  try {
    body = await readFile(join(root, file));
  } catch {
    if (file === 'index.html') {
      // A checkout that was never built still answers usefully instead of a bare 404.
      res
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
        .end('The dashboard is not built: run `npm run build`. GraphiQL is at /graphql.\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('Not found\n');
    }
    return true;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    ...(file === 'index.html' ? { 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
