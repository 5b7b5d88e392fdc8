// Many live subscribers on one server process: N graphql-ws clients in this (separate) load
// process, each on taskEvents(taskId) of its own task, while tasks are created at a steady rate
// and run. Reports the delay from the event's database timestamp to its arrival at the client
// (p50, p99), events delivered per second, and the server's resident memory with all connected.
//   --subscribers=1000 --rate=1000 (events/s; each echo task makes 3: created, started, completed)
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { spawnServer } from '../test/support/process.js';
import { arg, freshDatabase, percentile, sleep } from './lib.js';

const subscribers = Number(arg('subscribers', '1000'));
const rate = Number(arg('rate', '1000'));
const url = await freshDatabase('bench_subscribers');
const server = await spawnServer({
  DATABASE_URL: url,
  LOG_LEVEL: 'warn',
  PORT: arg('port', '4556'),
  EXECUTOR_CONCURRENCY: '48',
  SUBSCRIPTION_BUFFER: '10000',
  // Every client of this load generator comes from one address; the per-address cap is for abuse.
  MAX_SOCKETS_PER_ADDRESS: '100000',
});
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))![1]) / 1024;
const rssBefore = rss();

const delays: number[] = [];
let firstAt = 0;
let lastAt = 0;
const sockets: WebSocket[] = [];
const QUERY = 'subscription($id: ID!) { taskEvents(taskId: $id) { type at } }';

// Task ids on a fresh database are 1, 2, 3...: each client follows a task before it exists.
function open(taskId: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    sockets.push(socket);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('error', reject);
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString());
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY, variables: { id: String(taskId) } } }));
        resolve();
      } else if (message.type === 'next') {
        const now = Date.now();
        delays.push(now - Date.parse(message.payload.data.taskEvents.at));
        firstAt ||= now;
        lastAt = now;
      }
    });
  });
}

for (let i = 1; i <= subscribers; i += 250) {
  await Promise.all(Array.from({ length: Math.min(250, subscribers - i + 1) }, (_, k) => open(i + k)));
}
await sleep(1000);
const rssConnected = rss();

// Create the tasks at the rate that makes `rate` events a second, in a burst every 100 ms.
const perTick = Math.max(1, Math.round(rate / 3 / 10));
let created = 0;
while (created < subscribers) {
  const n = Math.min(perTick, subscribers - created);
  const tick = Date.now();
  await server.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, {
    inputs: Array.from({ length: n }, () => ({ kind: 'echo' })),
  });
  created += n;
  await sleep(Math.max(0, 100 - (Date.now() - tick)));
}
const deadline = Date.now() + 30_000;
while (delays.length < subscribers * 3 && Date.now() < deadline) await sleep(100);
const rssPeak = rss();
for (const socket of sockets) socket.terminate();
server.child.kill('SIGTERM');
await server.exited;
delays.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    system: 'ours',
    subscribers,
    targetEventsPerSecond: rate,
    delivered: delays.length,
    expected: subscribers * 3,
    deliveredPerSecond: Math.round(delays.length / ((lastAt - firstAt) / 1000 || 1)),
    delayP50: percentile(delays, 50),
    delayP99: percentile(delays, 99),
    serverRssMiB: { idle: Math.round(rssBefore), connected: Math.round(rssConnected), peak: Math.round(rssPeak) },
  }),
);
process.exit(0);
