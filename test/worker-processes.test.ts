// Workers across real processes: a command sent to one server process steers the executor of
// another, and the example Python worker (examples/worker.py), run as its own process, claims and
// completes tasks; killed with SIGKILL, its tasks return to the queue after the lease and complete
// in another worker.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { waitFor } from './support/app.js';
import { describePg } from './support/db.js';
import type { ServerProcess } from './support/process.js';
import { serversForFile } from './support/servers.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describePg('workers across processes', () => {
  const cluster = serversForFile({ LEASE_SECONDS: '3' });
  const { start } = cluster;
  const workers: ChildProcess[] = [];
  afterEach(() => {
    for (const child of workers.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const statuses = async (ids: string[]) =>
    cluster.db.query<{ status: string; n: number }>(sql`SELECT status::text, count(*)::int AS n FROM tasks WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[]) GROUP BY status ORDER BY status`);
  const completedOnce = async (ids: string[]) =>
    (await cluster.db.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM (SELECT task_id FROM task_events WHERE type = 'completed'
        AND task_id = ANY(${`{${ids.join(',')}}`}::bigint[]) GROUP BY task_id HAVING count(*) = 1) once`))[0].n;
  const createMany = async (server: ServerProcess, inputs: object[]) =>
    (await server.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, { inputs })).data!.createTasks.tasks.map(
      (t: { id: string }) => t.id,
    ) as string[];

  const python = (server: ServerProcess, name: string, env: Record<string, string> = {}) => {
    const child = spawn('python3', ['examples/worker.py'], {
      cwd: root,
      env: { ...process.env, TASK_EXECUTOR_URL: `${server.url}/graphql`, WORKER_NAME: name, WORKER_CONCURRENCY: '4', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    child.stderr!.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    workers.push(child);
    return { child, lines };
  };

  it('a command sent to process A pauses, scales and resumes the executor of process B', async () => {
    const [a, b] = await Promise.all([start({ EXECUTOR_CONCURRENCY: '0' }), start({ EXECUTOR_CONCURRENCY: '3' })]);
    const steer = (query: string, variables: object = {}) => a.gql(query, { id: b.workerId, ...variables });
    const workerOfB = async () => (await a.gql(`query($id: ID!) { worker(id: $id) { state concurrency running } }`, { id: b.workerId })).data!.worker;
    await waitFor(workerOfB, 5000, 'B to be listed');

    expect((await steer(`mutation($id: ID!) { pauseWorker(id: $id) { state } }`)).data!.pauseWorker.state).toBe('PAUSED');
    // B learns of it through Postgres, not through A's memory: give the notification a moment.
    await waitFor(async () => b.logs.some((l) => l.includes('worker settings changed')), 5000, 'B to obey');
    const paused = await createMany(a, Array.from({ length: 6 }, () => ({ kind: 'echo', input: 1 })));
    await new Promise((r) => setTimeout(r, 1000));
    expect(await statuses(paused)).toEqual([{ status: 'pending', n: 6 }]);
    await steer(`mutation($id: ID!) { resumeWorker(id: $id) { state } }`);
    await waitFor(async () => (await completedOnce(paused)) === 6, 10_000, 'the paused tasks to run after resume');

    // Scale B to zero while it runs sleeps, then back up: every task completes exactly once.
    const batch = await createMany(a, Array.from({ length: 30 }, () => ({ kind: 'sleep', input: { ms: 200 } })));
    await waitFor(async () => (await statuses(batch)).some((s) => s.status === 'completed'), 10_000, 'work under way');
    expect((await steer(`mutation($id: ID!) { setWorkerConcurrency(id: $id, concurrency: 0) { concurrency } }`)).data!.setWorkerConcurrency.concurrency).toBe(0);
    await waitFor(async () => !(await statuses(batch)).some((s) => s.status === 'running'), 10_000, 'B to finish what it runs');
    const stalled = await statuses(batch);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await statuses(batch)).toEqual(stalled);
    expect(stalled.find((s) => s.status === 'pending')?.n ?? 0).toBeGreaterThan(0);
    await steer(`mutation($id: ID!, $n: Int!) { setWorkerConcurrency(id: $id, concurrency: $n) { concurrency } }`, { n: 5 });
    await waitFor(async () => (await completedOnce(batch)) === 30, 20_000, 'every task to complete once');
    expect(await statuses(batch)).toEqual([{ status: 'completed', n: 30 }]);
    expect((await workerOfB()).concurrency).toBe(5);
  });

  it('runs the example Python worker; killed, its tasks return after the lease and complete in another', async () => {
    const server = await start({ EXECUTOR_CONCURRENCY: '2' });
    const first = python(server, 'first');
    await waitFor(async () => first.lines.some((l) => l.includes('"registered"')), 10_000, 'the worker to register');

    const quick = await createMany(server, ['abc', 'hello', 'racecar'].map((text) => ({ kind: 'py.reverse', input: { text } })));
    await waitFor(async () => (await completedOnce(quick)) === 3, 10_000, 'the Python worker to complete its tasks');
    const results = (await server.gql(`{ tasks(kind: ["py.reverse"]) { nodes { result } } }`)).data!.tasks.nodes.map((t: { result: unknown }) => t.result);
    expect(results).toEqual([{ reversed: 'racecar' }, { reversed: 'olleh' }, { reversed: 'cba' }]);

    // Four long tasks held by the first worker when it dies.
    const slow = await createMany(server, Array.from({ length: 4 }, () => ({ kind: 'py.sleep', input: { ms: 1200 } })));
    await waitFor(async () => (await statuses(slow)).some((s) => s.status === 'running' && s.n === 4), 10_000, 'the worker to hold all four');
    first.child.kill('SIGKILL');
    await waitFor(async () => (await statuses(slow)).some((s) => s.status === 'pending' && s.n === 4), 15_000, 'the lease to expire and the tasks to return');
    const offline = (await server.gql(`{ workers(state: [OFFLINE]) { name kind } }`)).data!.workers;
    expect(offline.filter((w: { kind: string }) => w.kind === 'EXTERNAL')).toEqual([{ name: 'first', kind: 'EXTERNAL' }]);

    const second = python(server, 'second');
    await waitFor(async () => (await completedOnce(slow)) === 4, 20_000, 'the second worker to complete them');
    // The worker prints its line after the server answered completeTask: wait for the last one.
    await waitFor(async () => second.lines.filter((l) => l.includes('"task completed"')).length === 4, 5000, 'the worker to report four completions');
    const logs = (await server.gql(`query($id: ID!) { task(id: $id) { attempts logs { nodes { message } } } }`, { id: slow[0] })).data!.task;
    expect(logs.attempts).toBe(2);
    expect(logs.logs.nodes.map((n: { message: string }) => n.message)).toContain('step 4 of 4');
    // SIGTERM: it stops claiming and exits cleanly.
    second.child.kill('SIGTERM');
    expect(await new Promise((resolve) => second.child.once('exit', resolve))).toBe(0);
  });

  it('the example Python worker, stopped past its grace period, hands its running tasks back at once', async () => {
    const server = await start({ EXECUTOR_CONCURRENCY: '0' });
    const worker = python(server, 'stopping', { GRACE_SECONDS: '1', WORKER_CONCURRENCY: '2' });
    await waitFor(async () => worker.lines.some((l) => l.includes('"registered"')), 10_000, 'the worker to register');
    const slow = await createMany(server, Array.from({ length: 2 }, () => ({ kind: 'py.sleep', input: { ms: 30_000 } })));
    await waitFor(async () => (await statuses(slow)).some((s) => s.status === 'running' && s.n === 2), 10_000, 'the worker to hold both');
    worker.child.kill('SIGTERM');
    expect(await new Promise((resolve) => worker.child.once('exit', resolve))).toBe(0);
    // Handed back by the worker (reason shutdown), not left for their leases to lapse.
    expect(await statuses(slow)).toEqual([{ status: 'pending', n: 2 }]);
    const requeued = await cluster.db.query<{ reason: string }>(sql`
      SELECT data ->> 'reason' AS reason FROM task_events WHERE type = 'requeued' AND task_id = ANY(${`{${slow.join(',')}}`}::bigint[])`);
    expect(requeued).toEqual([{ reason: 'shutdown' }, { reason: 'shutdown' }]);
  });
});
