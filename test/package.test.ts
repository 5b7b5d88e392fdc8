// The package installed from its tarball into a new project with no development dependencies:
// the app's own typed kinds through `task-executor serve --kinds`, the generated mutation, the
// same kind run remotely by `task-executor worker`, the library's createTaskServer, and the
// refusals of a kinds module that cannot be used.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from './support/app.js';
import { describePg, freshDatabase } from './support/db.js';
import { freePort } from './support/free-port.js';
import { installPackage } from './support/package-install.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';
import { spawnServer, type ServerProcess } from './support/process.js';

const KINDS = `
import { defineKind, TaskFailure } from 'graphql-task-executor';
import { z } from 'zod';

export const resizeImage = defineKind({
  name: 'resize-image',
  input: z.object({ url: z.string(), width: z.number().int().min(1).max(4096) }),
  result: z.object({ width: z.number(), pid: z.number() }),
  async run(input, ctx) {
    await ctx.progress(0.5, 'half way');
    await ctx.log('resizing ' + input.url);
    if (input.url === 'fail') throw new TaskFailure('cannot fetch', 'FETCH_FAILED', false);
    return { width: input.width, pid: process.pid };
  },
});
`;
const CREATE = `mutation Resize($input: ResizeImageInput!) { createResizeImageTask(input: $input) { task { id status } } }`;
const TASK = `query($id: ID!) { task(id: $id) { status result error { code } } }`;

describePg('the installed package', () => {
  let project = '';
  let bin = '';
  let remove = () => {};
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  const servers: ServerProcess[] = [];
  /** Where the processes send their spans, as an operator would set it. */
  const tracing = () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_SERVICE_NAME: 'an-app' });

  beforeAll(async () => {
    ({ project, bin, remove } = await installPackage());
    writeFileSync(join(project, 'kinds.mjs'), KINDS);
    database = await freshDatabase();
    receiver = await startOtlpReceiver();
  }, 300_000);
  afterAll(async () => {
    for (const server of servers) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await database?.drop();
    await receiver?.close();
    remove();
  });

  const serve = async (env: Record<string, string> = {}) => {
    const server = await spawnServer({ DATABASE_URL: database.url, ...tracing(), ...env }, { args: [bin, 'serve', '--kinds', './kinds.mjs'], cwd: project });
    servers.push(server);
    return server;
  };
  const finished = async (server: ServerProcess, id: string) => {
    await waitFor(async () => ['COMPLETED', 'FAILED'].includes((await server.gql(TASK, { id })).data.task.status), 30_000, `task ${id}`);
    return (await server.gql(TASK, { id })).data.task;
  };

  it('holds compiled JavaScript and the built dashboard, and no development dependency', () => {
    const installed = join(project, 'node_modules');
    expect(existsSync(join(installed, 'graphql-task-executor', 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(installed, 'graphql-task-executor', 'dist', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(installed, 'graphql-task-executor', 'web', 'dist', 'index.html'))).toBe(true);
    expect(existsSync(join(installed, 'graphql-task-executor', 'src'))).toBe(false);
    for (const dev of ['tsx', 'vite', 'typescript', 'vitest']) expect(existsSync(join(installed, dev)), dev).toBe(false);
  });

  it('serve --kinds runs the app\'s typed kind through its generated mutation, and serves the dashboard', async () => {
    const server = await serve();
    const created = await server.gql(CREATE, { input: { url: 'a.png', width: 300 } });
    expect(created.errors).toBeUndefined();
    const task = await finished(server, created.data.createResizeImageTask.task.id);
    expect(task).toMatchObject({ status: 'COMPLETED', result: { width: 300, pid: server.child.pid } });
    const refused = await server.gql(CREATE, { input: { url: 'a.png', width: 0 } });
    expect(refused.errors![0].extensions).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: '$.width' }] });
    const failed = await server.gql(CREATE, { input: { url: 'fail', width: 1 } });
    expect(await finished(server, failed.data.createResizeImageTask.task.id)).toMatchObject({ status: 'FAILED', error: { code: 'FETCH_FAILED' } });
    // The trace: the typed mutation's operation, and the attempt linked to it.
    const [traceId, caller] = [randomBytes(16).toString('hex'), randomBytes(8).toString('hex')];
    const traced = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${caller}-01` },
      body: JSON.stringify({ query: CREATE, variables: { input: { url: 't.png', width: 2 } } }),
    }).then((r) => r.json());
    const tracedId = traced.data.createResizeImageTask.task.id;
    const span = (what: string, test: (s: (typeof receiver.spans)[number]) => boolean) => waitFor(async () => receiver.spans.find(test), 20_000, what);
    const operation = await span('the operation span', (s) => s.name === 'graphql.mutation Resize' && s.traceId === traceId);
    expect(operation.parentSpanId).toBe(caller);
    const attempt = await span('the attempt span', (s) => s.name === 'task.attempt resize-image' && s.attributes['task.id'] === tracedId);
    expect(attempt.links).toEqual([{ traceId, spanId: operation.spanId }]);
    expect(attempt.attributes).toMatchObject({ 'task.outcome': 'completed' });
    expect(attempt.resource['service.name']).toBe('an-app');
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script');
  });

  it('task-executor worker runs the same kind over GraphQL only', async () => {
    const server = servers[0];
    // The server's own executor steps aside, so only the remote worker can take the task.
    await server.gql(`mutation($id: ID!) { setWorkerConcurrency(id: $id, concurrency: 0) { id } }`, { id: server.workerId });
    // Preloaded: the check that no database code is loaded, though the kinds module imports the package.
    const noDatabase = fileURLToPath(new URL('./support/no-database.mjs', import.meta.url));
    const args = ['--import', noDatabase, bin, 'worker', '--url', `${server.url}/graphql`, '--kinds', './kinds.mjs', '--name', 'node-worker'];
    const worker = spawn(process.execPath, args, {
      cwd: project,
      env: { ...process.env, ...tracing(), OTEL_SERVICE_NAME: 'an-app-worker', DATABASE_URL: '', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    worker.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    try {
      const created = await server.gql(CREATE, { input: { url: 'b.png', width: 64 } });
      const task = await finished(server, created.data.createResizeImageTask.task.id);
      expect(task.status).toBe('COMPLETED');
      expect(task.result).toEqual({ width: 64, pid: worker.pid });
      // The worker's attempt span, exported by the worker itself.
      const remote = await waitFor(async () => receiver.spans.find((s) => s.name === 'task.attempt resize-image' && s.attributes['task.id'] === created.data.createResizeImageTask.task.id), 20_000, 'the worker\'s attempt span');
      expect(remote.resource['service.name']).toBe('an-app-worker');
      expect(remote.attributes).toMatchObject({ 'task.outcome': 'completed' });
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
    expect(stderr).toBe('');
  });

  it('createTaskServer runs the kinds inside an app of its own', async () => {
    const port = await freePort();
    writeFileSync(
      join(project, 'app.mjs'),
      `import { createTaskServer } from 'graphql-task-executor';
       import { resizeImage } from './kinds.mjs';
       const server = createTaskServer({ kinds: [resizeImage], databaseUrl: process.env.APP_DATABASE_URL, port: ${port}, logLevel: 'silent' });
       const url = await server.start();
       const post = (query, variables) => fetch(url + '/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }).then((r) => r.json());
       const { data } = await post(${JSON.stringify(CREATE)}, { input: { url: 'c.png', width: 9 } });
       let task;
       do task = (await post(${JSON.stringify(TASK)}, { id: data.createResizeImageTask.task.id })).data.task;
       while (task.status !== 'COMPLETED' && task.status !== 'FAILED');
       await server.stop();
       console.log(JSON.stringify({ url, task }));`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['app.mjs'], { cwd: project, env: { ...process.env, APP_DATABASE_URL: database.url } });
    const { url, task } = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(task).toMatchObject({ status: 'COMPLETED', result: { width: 9 } });
  });

  it('stops the start with exit code 2 and a message naming the file when the kinds module cannot be used', async () => {
    writeFileSync(join(project, 'none.mjs'), 'export const version = 1;\n');
    writeFileSync(join(project, 'broken.mjs'), 'export const = ;\n');
    for (const [file, says] of [['./none.mjs', 'exports no task kinds'], ['./broken.mjs', 'could not be loaded'], ['./missing.mjs', 'could not be loaded']]) {
      const result = await promisify(execFile)(process.execPath, [bin, 'serve', '--kinds', file], { cwd: project, env: { ...process.env, DATABASE_URL: database.url } }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(result.code, file).toBe(2);
      expect(result.stderr).toContain(file);
      expect(result.stderr).toContain(says);
    }
  });
});
