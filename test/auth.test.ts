// Access control with API keys: UNAUTHENTICATED without a valid key, FORBIDDEN without the scope,
// over HTTP and graphql-ws (where a bad key closes the socket with 4403); CORS follows the config.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { describePg } from './support/db.js';
import { appForFile, collect } from './support/app.js';

const KEYS = [
  { name: 'reader', key: 'r'.repeat(32), scopes: ['read'] },
  { name: 'writer', key: 'w'.repeat(32), scopes: ['write'] },
  { name: 'ci', key: 'c'.repeat(32), scopes: ['read', 'write'] },
];

describePg('API keys', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '2', API_KEYS: JSON.stringify(KEYS), CORS_ORIGINS: 'https://app.example' });

  const post = async (key: string | undefined, query: string) => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return response.json() as Promise<{ data?: any; errors?: any[] }>;
  };
  const count = async () => (await post(KEYS[0].key, '{ taskStats { total } }')).data.taskStats.total;
  const ws = (connectionParams?: Record<string, unknown>) =>
    createClient({ url: `${app.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams });

  it('without a key, or with an unknown one: UNAUTHENTICATED, and nothing written', async () => {
    const before = await count();
    for (const key of [undefined, 'x'.repeat(32)]) {
      const read = await post(key, '{ taskKinds }');
      expect(read.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
      const write = await post(key, 'mutation { createTask(input: { kind: "echo" }) { task { id } } }');
      expect(write.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    expect(await count()).toBe(before);
  });

  it('with a key that lacks the scope: FORBIDDEN; with the scope: allowed', async () => {
    const before = await count();
    const denied = await post(KEYS[0].key, 'mutation { createTask(input: { kind: "echo" }) { task { id } } }');
    expect(denied.errors?.[0].extensions.code).toBe('FORBIDDEN');
    // A kind's typed mutation is createTask's, scopes included.
    const typed = 'mutation { createSleepTask(input: { ms: 1 }) { task { id } } }';
    expect((await post(KEYS[0].key, typed)).errors?.[0].extensions.code).toBe('FORBIDDEN');
    expect((await post(undefined, typed)).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(await count()).toBe(before);
    expect((await post(KEYS[1].key, '{ taskKinds }')).errors?.[0].extensions.code).toBe('FORBIDDEN');
    const created = await post(KEYS[1].key, 'mutation { createTask(input: { kind: "echo" }) { task { id } } }');
    expect(created.data.createTask.task.id).toBeTruthy();
    expect((await post(KEYS[1].key, typed)).data.createSleepTask.task.id).toBeTruthy();
    expect((await post(KEYS[0].key, '{ taskKinds }')).data.taskKinds).toContain('echo');
    expect(await count()).toBe(before + 2);
  });

  it('graphql-ws: a bad key closes the socket with 4403; scopes are checked per subscription', async () => {
    for (const params of [undefined, { authorization: `Bearer ${'x'.repeat(32)}` }]) {
      const sub = collect(ws(params), 'subscription { taskEvents { cursor } }', {});
      await sub.finished;
      expect((sub.errors[0] as { code?: number }).code).toBe(4403);
    }
    const forbidden = collect(ws({ authorization: `Bearer ${KEYS[1].key}` }), 'subscription { taskEvents { cursor } }', {});
    await forbidden.finished;
    expect(JSON.stringify(forbidden.errors)).toContain('FORBIDDEN');

    const created = await post(KEYS[2].key, 'mutation { createTask(input: { kind: "echo", input: 7 }) { task { id } } }');
    const id = created.data.createTask.task.id;
    const allowed = await collect(ws({ apiKey: KEYS[0].key }), 'subscription($id: ID!) { taskUpdated(id: $id) { status result } }', { id }).finished;
    expect(allowed.at(-1).taskUpdated).toEqual({ status: 'COMPLETED', result: 7 });
  });

  it('answers CORS only for the configured origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${app.url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect((await preflight('https://app.example')).headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
  });
});

describe('API key configuration', () => {
  it('reads API_KEYS_FILE and keeps only hashes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const file = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify(KEYS));
    const config = loadConfig({ API_KEYS_FILE: file });
    expect(config.apiKeys.map((k) => k.name)).toEqual(['reader', 'writer', 'ci']);
    expect(JSON.stringify(config)).not.toContain(KEYS[0].key);
    expect(config.host).toBe('0.0.0.0');
  });

  it.each([
    ['API_KEYS', '{not json'],
    ['API_KEYS', '[{"name":"a","key":"short","scopes":["read"]}]'],
    ['API_KEYS', '[{"name":"a","key":"aaaaaaaaaaaaaaaaaaaa","scopes":["root"]}]'],
    ['API_KEYS_FILE', '/nonexistent/keys.json'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
