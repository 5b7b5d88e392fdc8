// The dashboard's files as the server serves them: content types, cache headers, and nothing
// outside the built directory, whatever the request path.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDashboard } from '../src/static.js';

/** A raw request: fetch would normalise "/assets/../x" before sending it. */
function get(base: string, path: string, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = request({ hostname, port, path, method }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard files', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let empty: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    const root = join(dir, 'dist');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(root, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    empty = join(dir, 'missing');
    server = createServer(async (req, res) => {
      const path = req.url!.split('?')[0];
      const webRoot = req.headers['x-root'] === 'missing' ? empty : root;
      if (!(await serveDashboard(webRoot, path, req, res))) res.writeHead(404).end('not mine');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / revalidated on each load, and hashed assets cached for a year', async () => {
    const page = await get(base, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<title>x</title>');
    const script = await get(base, '/assets/index-abc123.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(base, '/assets/index-abc123.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await get(base, '/assets/index-abc123.js', 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
    expect((await get(base, '/', 'POST')).status).toBe(405);
  });

  it('never reads outside the directory, and leaves other paths to the server', async () => {
    for (const path of ['/assets/../secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e/secret.txt', '/assets/.hidden', '/assets/a/b.js', '/../secret.txt']) {
      const { status, body } = await get(base, path);
      expect(body, path).not.toContain('secret');
      expect([404, 400], path).toContain(status);
    }
    expect((await get(base, '/assets/nope.js')).status).toBe(404);
    expect((await get(base, '/graphql')).body).toBe('not mine');
  });

  it('says how to build the page when it has not been built', async () => {
    const response = await new Promise<{ status: number; body: string }>((resolve) => {
      request(`${base}/`, { headers: { 'x-root': 'missing' } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      }).end();
    });
    expect(response.status).toBe(503);
    expect(response.body).toContain('npm run build');
  });
});
