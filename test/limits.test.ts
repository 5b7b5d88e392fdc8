// Every limit answers with its own code, and the server goes on serving others.
import WebSocket from 'ws';
import { expect, it } from 'vitest';
import { describePg } from './support/db.js';
import { appForFile, collect, waitFor } from './support/app.js';

describePg('limits', () => {
  const app = appForFile({
    EXECUTOR_CONCURRENCY: '0',
    MAX_QUERY_DEPTH: '4',
    MAX_QUERY_FIELDS: '200',
    MAX_BODY_BYTES: '65536',
    MAX_SUBSCRIPTIONS_PER_SOCKET: '2',
    MAX_SOCKETS_PER_ADDRESS: '3',
    SOCKET_INIT_TIMEOUT_MS: '300',
    MAX_BACKFILL: '100',
  });
  const code = (result: { errors?: any[] }) => result.errors?.[0]?.extensions?.code;
  const stillServing = async () => expect((await app.gql('{ taskKinds }')).data.taskKinds).toContain('echo');

  it('refuses a query too deep, too wide, or a fragment bomb, with QUERY_TOO_COMPLEX', async () => {
    expect(code(await app.gql('{ tasks { edges { node { error { code } } } } }'))).toBe('QUERY_TOO_COMPLEX');
    const aliases = Array.from({ length: 300 }, (_, i) => `a${i}: taskKinds`).join(' ');
    expect(code(await app.gql(`{ ${aliases} }`))).toBe('QUERY_TOO_COMPLEX');
    const bomb = Array.from({ length: 30 }, (_, i) => `fragment F${i + 1} on Query { ...F${i} ...F${i} }`).join('\n');
    const started = Date.now();
    expect(code(await app.gql(`query { ...F30 }\nfragment F0 on Query { taskKinds }\n${bomb}`))).toBe('QUERY_TOO_COMPLEX');
    expect(Date.now() - started).toBeLessThan(5000);
    // Subscriptions over graphql-ws go through the same rules.
    const wide = collect(app.ws(), `subscription { taskEvents { ${Array.from({ length: 300 }, (_, i) => `a${i}: cursor`).join(' ')} } }`, {});
    await wide.finished;
    expect(JSON.stringify(wide.errors)).toContain('QUERY_TOO_COMPLEX');
    await stillServing();
  });

  it('refuses a body over MAX_BODY_BYTES with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ taskKinds }', variables: { pad: 'x'.repeat(70_000) } }),
    });
    expect(response.status).toBe(413);
    expect(code(await response.json())).toBe('PAYLOAD_TOO_LARGE');
    await stillServing();
  });

  it('caps subscriptions per connection with RATE_LIMITED', async () => {
    const client = app.ws();
    const follow = () => collect(client, 'subscription { taskEvents { cursor } }', {});
    const open = app.streams();
    const first = follow();
    const second = follow();
    await waitFor(async () => app.streams() === open + 2, 10_000, 'the server to open both streams');
    const third = follow();
    await third.finished;
    expect(JSON.stringify(third.errors)).toContain('RATE_LIMITED');
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
    await client.dispose();
  });

  it('caps sockets per address, and closes a socket that never sends connection_init', async () => {
    const url = `${app.url.replace('http', 'ws')}/graphql`;
    const open = (): Promise<WebSocket | number> =>
      new Promise((resolve) => {
        const socket = new WebSocket(url, 'graphql-transport-ws');
        socket.once('open', () => resolve(socket));
        socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      });
    const sockets = [await open(), await open(), await open()];
    expect(sockets.every((s) => s instanceof WebSocket)).toBe(true);
    expect(await open()).toBe(429);
    // None of them sent connection_init: each is closed with 4408 after SOCKET_INIT_TIMEOUT_MS.
    const codes = await Promise.all(sockets.map((s) => new Promise((r) => (s as WebSocket).once('close', (c) => r(c)))));
    expect(codes).toEqual([4408, 4408, 4408]);
    // Each closed socket gives its place back once the server has seen it close.
    const again = await waitFor(async () => {
      const socket = await open();
      return socket instanceof WebSocket && socket;
    }, 5000, 'a socket to be accepted again');
    again.close();
  });

  it('ends a replay past MAX_BACKFILL with BACKFILL_LIMIT; resuming from the last cursor continues', async () => {
    await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, {
      inputs: Array.from({ length: 150 }, () => ({ kind: 'echo' })),
    });
    const first = collect(app.ws(), 'subscription { taskEvents(after: "0") { cursor } }', {});
    await first.finished;
    expect(first.items).toHaveLength(100);
    expect(JSON.stringify(first.errors)).toContain('BACKFILL_LIMIT');
    const last = first.items.at(-1).taskEvents.cursor;
    const rest = collect(app.ws(), 'subscription($after: String) { taskEvents(after: $after) { cursor } }', { after: last }, (items) => items.length >= 50);
    await rest.finished;
    expect(Number(rest.items[0].taskEvents.cursor)).toBe(Number(last) + 1);
    expect(rest.items).toHaveLength(50);
  });
});
