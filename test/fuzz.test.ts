// Hostile input: thousands of malformed or adversarial requests over HTTP and WebSocket, from a
// seeded generator (the run is reproducible). The server must answer each with a 4xx or a GraphQL
// error, never crash or 5xx, change no stored task, and give its memory back afterwards.
import { sql } from 'drizzle-orm';
import WebSocket from 'ws';
import { beforeAll, expect, it } from 'vitest';
import { describePg } from './support/db.js';
import { appForFile, waitFor } from './support/app.js';

function random(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

describePg('hostile input', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '2', MAX_BODY_BYTES: '1048576' });
  beforeAll(async () => {
    await app.gql(`mutation { createTasks(inputs: [{ kind: "echo" }, { kind: "sleep", input: { ms: 10000000 } }]) { tasks { id } } }`);
  });

  const snapshot = async () =>
    app.db.query(sql`SELECT (SELECT count(*)::int FROM tasks) AS tasks, (SELECT count(*)::int FROM task_events) AS events,
      (SELECT string_agg(id || status::text, ',' ORDER BY id) FROM tasks) AS states`);

  it('survives thousands of malformed HTTP requests and WebSocket frames', async () => {
    // The long sleep is running and the echo finished: nothing changes by itself from here on.
    await waitFor(
      async () => (await app.db.query<{ states: string }>(sql`SELECT string_agg(status::text, ',' ORDER BY id) AS states FROM tasks`))[0].states === 'completed,running',
      10_000,
      'the echo to complete and the sleep to start',
    );
    const before = await snapshot();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const rand = random(42);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const valid = JSON.stringify({ query: '{ taskKinds tasks(first: 2) { totalCount } }' });
    const bodies: Array<() => string> = [
      () => valid.slice(0, Math.floor(rand() * valid.length)),
      () => Array.from({ length: 200 }, () => String.fromCharCode(Math.floor(rand() * 256))).join(''),
      () => JSON.stringify({ query: 42 }),
      () => JSON.stringify({ query: '{ taskKinds }', variables: 'not an object' }),
      () => JSON.stringify({ query: '{ taskKinds }', operationName: 7 }),
      () => JSON.stringify([1, 2, 3]),
      () => JSON.stringify({ query: 'x'.repeat(200_000) }),
      () => JSON.stringify({ query: `{ ${'task(id: "1") { '.repeat(500)}id${' }'.repeat(500)} }` }),
      () => JSON.stringify({ query: `{ ${Array.from({ length: 3000 }, (_, i) => `a${i}: taskKinds`).join(' ')} }` }),
      () => JSON.stringify({ query: 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }' }),
      () => JSON.stringify({ query: '{ taskKinds }', operationName: 'Nope' }),
      () => JSON.stringify({ query: 'mutation { createTask(input: { kind: "echo", priority: "high" }) { task { id } } }' }),
      () => JSON.stringify({ query: 'mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }', variables: { i: { kind: 'echo', maxAttempts: -1 } } }),
      () => JSON.stringify({ query: 'mutation { cancelTask(id: "1; DROP TABLE tasks") { task { id } } }' }),
      () => JSON.stringify({ query: 'mutation { retryTask(id: "1") { task { id } } }' }),
      () => JSON.stringify({ query: '{ task(id: "\\u0000") { id } }' }),
      () => JSON.stringify({ query: 'subscription { taskEvents(after: "-1") { cursor } }' }),
      () => JSON.stringify({ query: '{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }' }),
      () => '{"query": "{ taskKinds }", "variables": {"a": ' + '['.repeat(5000) + ']'.repeat(5000) + '}}',
    ];
    const contentTypes = ['application/json', 'application/graphql', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'];
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const send = async () => {
      const method = pick(['POST', 'POST', 'POST', 'GET', 'PUT']);
      const body = pick(bodies)();
      // A GET carries its document in the URL (fetch refuses a GET with a body).
      const url = method === 'GET' ? `${app.url}/graphql?query=${encodeURIComponent(body.slice(0, 4000))}` : `${app.url}/graphql`;
      const response = await fetch(url, { method, headers: { 'content-type': pick(contentTypes) }, body: method === 'GET' ? undefined : body });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      await response.arrayBuffer();
    };
    for (let round = 0; round < 100; round++) {
      // A request the server did not answer (a reset, a hang) is a failure, not noise.
      await Promise.all(Array.from({ length: 20 }, () => send().catch((error: Error) => failures.push(error.message))));
    }
    const requests = [...statuses.values()].reduce((a, b) => a + b, 0);
    // WebSocket: garbage frames, messages out of order, unknown types, duplicate ids, binary.
    const url = `${app.url.replace('http', 'ws')}/graphql`;
    const frames = [
      'not json',
      '{"type":"subscribe","id":"1","payload":{"query":"{ taskKinds }"}}',
      '{"type":"connection_init"}',
      '{"type":"connection_init"}',
      '{"type":"subscribe","id":"1","payload":{"query":"subscription { taskEvents { cursor } }"}}',
      '{"type":"subscribe","id":"1","payload":{"query":"subscription { taskEvents { cursor } }"}}',
      '{"type":"complete","id":"nope"}',
      '{"type":"whatever"}',
      '{"type":"ping"}',
      '{"type":"subscribe","payload":{}}',
      '{"type":"subscribe","id":"2","payload":{"query":"{ ' + 'x'.repeat(10_000) + ' }"}}',
    ];
    // How each socket ended: the server closed it (with its code), declined its protocol, or the
    // client let go of it after its frames; any other error is counted apart, and fails the test.
    const endings = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const ending = await new Promise<string>((resolve) => {
        const socket = new WebSocket(url, pick(['graphql-transport-ws', 'graphql-ws', 'nonsense']));
        let opened = false;
        // The server declining an unknown protocol is an answer; any other error is not.
        socket.on('error', (error) => resolve(error.message === 'Server sent no subprotocol' ? 'no subprotocol' : `error: ${error.message}`));
        socket.on('close', (code) => resolve(opened ? `closed ${code}` : `refused ${code}`));
        socket.on('open', () => {
          opened = true;
          for (let k = 0; k < 6; k++) socket.send(rand() < 0.1 ? Buffer.from([0xff, 0x00, 0x13]) : pick(frames));
          setTimeout(() => socket.terminate(), 20);
        });
      });
      endings.set(ending, (endings.get(ending) ?? 0) + 1);
    }
    expect(failures).toEqual([]);
    expect(requests).toBe(2000);
    const sockets = [...endings.values()].reduce((a, b) => a + b, 0);
    expect(sockets).toBe(100);
    expect([...endings.keys()].filter((e) => e.startsWith('error'))).toEqual([]);
    const fiveHundreds = [...statuses].filter(([status]) => status >= 500);
    expect(fiveHundreds).toEqual([]);
    // Still serving, nothing changed, no stack overflow took the process down.
    expect((await app.gql('{ taskKinds }')).data.taskKinds).toContain('echo');
    expect(await snapshot()).toEqual(before);
    gc?.();
    await new Promise((r) => setTimeout(r, 200));
    gc?.();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    console.log(`fuzz: ${requests} HTTP requests (statuses ${JSON.stringify(Object.fromEntries(statuses))}), sockets ${JSON.stringify(Object.fromEntries(endings))}, heap grew ${(grown / 1048576).toFixed(1)} MiB`);
    expect(grown).toBeLessThan(32 * 1048576);
  });
});
