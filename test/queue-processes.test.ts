// Queue rules hold however many claim at once: three server processes and two external workers
// claim 2,100 tasks together, and the most that ever ran at once, replayed from the event
// log in commit order, never passes a queue's concurrency or a key's; and racing the same way, a
// rate limit's windows and a paused queue hold.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { describePg } from './support/db.js';
import { waitFor } from './support/app.js';
import { serversForFile } from './support/servers.js';
import type { ServerProcess } from './support/process.js';

const CREATE_MANY = `mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`;
const LIMITS = `mutation($name: String!, $concurrency: Int, $keyConcurrency: Int, $rateLimit: RateLimitInput) {
  setQueueLimits(name: $name, concurrency: $concurrency, keyConcurrency: $keyConcurrency, rateLimit: $rateLimit) { name } }`;

/** An external worker over GraphQL that claims tasks of its kinds and completes each a moment later, until stopped. */
function externalWorker(server: ServerProcess, name: string, kinds = ['echo']) {
  let running = true;
  const done = (async () => {
    const { data } = await server.gql(`mutation($n: String!, $k: [String!]!) { registerWorker(input: { name: $n, kinds: $k, concurrency: 6 }) { id } }`, { n: name, k: kinds });
    const workerId = data.registerWorker.id as string;
    const inFlight = new Set<Promise<unknown>>();
    while (running) {
      const claimed = await server.gql(`mutation($w: ID!) { claimTasks(workerId: $w, limit: 6, waitSeconds: 1) { id } }`, { w: workerId });
      for (const task of claimed.data?.claimTasks ?? []) {
        const finishing = new Promise((resolve) => setTimeout(resolve, 3))
          .then(() => server.gql(`mutation($id: ID!, $w: ID!) { completeTask(id: $id, workerId: $w) { id } }`, { id: task.id, w: workerId }))
          .finally(() => inFlight.delete(finishing));
        inFlight.add(finishing);
      }
      // Its slots are full until some finish: wait for one rather than claim nothing in a loop.
      if (inFlight.size >= 6) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  })();
  return { stop: () => ((running = false), done) };
}

describePg('queue rules across processes and external workers', () => {
  const cluster = serversForFile({ EXECUTOR_CONCURRENCY: '8' });
  /** The most tasks running at once per group (queue, or queue and key), from the events in commit order. */
  const maxRunning = async (queue: string, byKey: boolean) => {
    const rows = await cluster.db.query<{ most: number }>(sql`
      SELECT max(running)::int AS most FROM (
        SELECT sum(CASE WHEN e.type = 'started' THEN 1 WHEN e.type IN ('completed', 'failed', 'timed_out', 'retrying', 'requeued') THEN -1 ELSE 0 END)
          OVER (PARTITION BY ${byKey ? sql`t.concurrency_key` : sql`t.queue`} ORDER BY e.id) AS running
        FROM task_events e JOIN tasks t ON t.id = e.task_id WHERE t.queue = ${queue}) r
`);
    return rows[0]?.most ?? 0;
  };
  const completedOnce = async (queue: string) =>
    (await cluster.db.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM (SELECT t.id FROM tasks t JOIN task_events e ON e.task_id = t.id AND e.type = 'completed'
        WHERE t.queue = ${queue} AND t.status = 'completed' GROUP BY t.id HAVING count(*) = 1) once`))[0].n;

  it('a queue concurrency of 5 and a key concurrency of 2 hold with 3 processes and 2 external workers claiming', { timeout: 180_000 }, async () => {
    const servers = await Promise.all([cluster.start({}), cluster.start({}), cluster.start({})]);
    await servers[0].gql(LIMITS, { name: 'limited', concurrency: 5 });
    await servers[0].gql(LIMITS, { name: 'keyed', keyConcurrency: 2 });
    const workers = [externalWorker(servers[1], 'ext-a'), externalWorker(servers[2], 'ext-b')];
    // Created through every process at once, so each one's start-on-create and claims race too.
    const created = await Promise.all(
      servers.flatMap((server, s) =>
        Array.from({ length: 2 }, (_, b) =>
          server.gql(CREATE_MANY, {
            inputs: [
              ...Array.from({ length: 200 }, () => ({ kind: 'echo', queue: 'limited' })),
              ...Array.from({ length: 150 }, (_, i) => ({ kind: 'echo', queue: 'keyed', concurrencyKey: `k${(s * 300 + b * 150 + i) % 40}` })),
            ],
          }),
        ),
      ),
    );
    expect(created.map((c) => c.errors)).toEqual(created.map(() => undefined));
    await waitFor(async () => (await completedOnce('limited')) === 1200 && (await completedOnce('keyed')) === 900, 120_000, 'every task to complete once');
    await Promise.all(workers.map((w) => w.stop()));
    expect(await maxRunning('limited', false)).toBe(5);
    const keyMax = await maxRunning('keyed', true);
    expect(keyMax).toBeLessThanOrEqual(2);
    expect(keyMax).toBeGreaterThanOrEqual(1);
    // Held tasks were not counted as attempts, and both kinds of claimer took part.
    const [{ attempts }] = await cluster.db.query<{ attempts: number }>(sql`SELECT max(attempts)::int AS attempts FROM tasks WHERE queue IN ('limited', 'keyed')`);
    expect(attempts).toBe(1);
    const claimers = await cluster.db.query<{ kind: string }>(sql`
      SELECT DISTINCT w.kind::text FROM task_events e JOIN workers w ON w.id = e.data ->> 'workerId' WHERE e.type = 'started'`);
    expect(claimers.map((c) => c.kind).sort()).toEqual(['embedded', 'external']);
  });

  it('a rate limit of 10 a second and a paused queue hold with 3 processes and 2 external workers claiming', { timeout: 120_000 }, async () => {
    const servers = await Promise.all([cluster.start({}), cluster.start({}), cluster.start({})]);
    await servers[0].gql(LIMITS, { name: 'rated', rateLimit: { limit: 10, periodSeconds: 1 } });
    expect((await servers[0].gql(`mutation { pauseQueue(name: "stopped") { paused } }`)).data.pauseQueue.paused).toBe(true);
    // Some of the rated tasks are of a kind only the external workers run, so that both kinds of
    // claimer certainly take part (the embedded ones, woken the moment a window allows, would
    // otherwise often take every start).
    const workers = [externalWorker(servers[1], 'ext-c', ['echo', 'remote']), externalWorker(servers[2], 'ext-d', ['echo', 'remote'])];
    await waitFor(async () => (await servers[0].gql(`{ taskKinds }`)).data.taskKinds.includes('remote'), 10_000, 'the external kind to be known');
    const created = await Promise.all(servers.map((server) => server.gql(CREATE_MANY, {
      inputs: [
        ...Array.from({ length: 15 }, (_, i) => ({ kind: i % 3 === 0 ? 'remote' : 'echo', queue: 'rated' })),
        ...Array.from({ length: 10 }, () => ({ kind: 'echo', queue: 'stopped' })),
      ],
    })));
    expect(created.map((c) => c.errors)).toEqual(created.map(() => undefined));
    await waitFor(async () => (await completedOnce('rated')) === 45, 60_000, 'every rated task to complete once');
    // Every claimer had every chance to take the paused queue's tasks meanwhile.
    const startedStopped = await cluster.db.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM task_events e JOIN tasks t ON t.id = e.task_id WHERE t.queue = 'stopped' AND e.type = 'started'`);
    expect(startedStopped[0].n).toBe(0);
    const starts = (await cluster.db.query<{ at: number }>(sql`
      SELECT (extract(epoch FROM started_at) * 1000)::float8 AS at FROM tasks WHERE queue = 'rated' ORDER BY started_at`)).map((r) => Number(r.at));
    expect(starts).toHaveLength(45);
    // No window of a second holds 11 starts (a start is counted to the millisecond).
    for (let i = 10; i < starts.length; i++) expect(starts[i] - starts[i - 10]).toBeGreaterThanOrEqual(999);
    await servers[1].gql(`mutation { resumeQueue(name: "stopped") { paused } }`);
    await waitFor(async () => (await completedOnce('stopped')) === 30, 30_000, 'the resumed queue to run');
    await Promise.all(workers.map((w) => w.stop()));
    const [{ attempts }] = await cluster.db.query<{ attempts: number }>(sql`SELECT max(attempts)::int AS attempts FROM tasks WHERE queue IN ('rated', 'stopped')`);
    expect(attempts).toBe(1);
    const claimers = await cluster.db.query<{ kind: string }>(sql`
      SELECT DISTINCT w.kind::text FROM task_events e JOIN workers w ON w.id = e.data ->> 'workerId' JOIN tasks t ON t.id = e.task_id
      WHERE e.type = 'started' AND t.queue = 'rated'`);
    expect(claimers.map((c) => c.kind).sort()).toEqual(['embedded', 'external']);
  });
});
