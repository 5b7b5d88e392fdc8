// End to end through GraphQL: autocannon sends createTask mutations over HTTP on many connections
// to a real server process while its executor runs them; a graphql-ws subscriber follows every
// event. Reports mutations/s and the time from a mutation's response to its COMPLETED event
// reaching the subscriber. As fast as autocannon can, or at --rate mutations a second (the delay
// figure means something only below saturation: past it, it is the length of the backlog).
//   --connections=20 --seconds=10 --concurrency=24 --prefetch=100 [--rate=500]
import autocannon from 'autocannon';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { spawnServer } from '../test/support/process.js';
import { arg, freshDatabase, percentile, sleep } from './lib.js';

const connections = Number(arg('connections', '20'));
const seconds = Number(arg('seconds', '10'));
const rate = Number(arg('rate', '0'));
const url = await freshDatabase('bench_e2e');
const server = await spawnServer({
  DATABASE_URL: url,
  LOG_LEVEL: 'warn',
  PORT: arg('port', '4555'),
  EXECUTOR_CONCURRENCY: arg('concurrency', '24'),
  EXECUTOR_PREFETCH: arg('prefetch', '100'),
  SUBSCRIPTION_BUFFER: '1000000',
  POLL_INTERVAL_MS: '1000',
});

const responded = new Map<string, number>();
const completed = new Map<string, number>();
const client = createClient({ url: `${server.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket });
const subscribed = new Promise<void>((resolve) => {
  client.subscribe(
    { query: 'subscription { taskEvents { type taskId } }' },
    {
      next: ({ data }) => {
        const event = (data as { taskEvents: { type: string; taskId: string } }).taskEvents;
        if (event.type === 'completed') completed.set(event.taskId, performance.now());
      },
      error: (error) => console.error(error),
      complete: () => {},
    },
  );
  setTimeout(resolve, 500);
});
await subscribed;

const result = await autocannon({
  url: `${server.url}/graphql`,
  connections,
  duration: seconds,
  ...(rate > 0 ? { overallRate: rate } : {}),
  requests: [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { createTask(input: { kind: "echo", input: { n: 1 } }) { task { id } } }' }),
      onResponse: (status: number, body: string) => {
        if (status === 200) responded.set(JSON.parse(body).data.createTask.task.id, performance.now());
      },
    },
  ],
});
const deadline = Date.now() + 30_000;
while (completed.size < responded.size && Date.now() < deadline) await sleep(50);
const delays = [...responded].filter(([id]) => completed.has(id)).map(([id, t]) => completed.get(id)! - t).sort((a, b) => a - b);
await client.dispose();
server.child.kill('SIGTERM');
await server.exited;
console.log(
  JSON.stringify({
    system: 'ours',
    connections,
    rate: rate || 'max',
    mutations: result.requests.total,
    errors: result.errors + result.non2xx,
    mutationsPerSecond: Math.round(result.requests.average),
    mutationLatencyP50: result.latency.p50,
    mutationLatencyP99: result.latency.p99,
    completedSeen: delays.length,
    responseToCompletedP50: +percentile(delays, 50).toFixed(1),
    responseToCompletedP99: +percentile(delays, 99).toFixed(1),
  }),
);
process.exit(0);
