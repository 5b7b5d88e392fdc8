// createTaskServer as an app calls it: the settings are the environment's under camelCase names,
// with their checks and defaults, the environment filling what is unset; the app's kinds beside the
// built-in ones; start() gives the URL and stop() closes everything.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { defineKind } from '../src/kinds/define-kind.js';
import { createTaskServer } from '../src/task-server.js';
import { waitFor } from './support/app.js';
import { describePg, freshDatabase } from './support/db.js';
import { spawnServer } from './support/process.js';

const double = defineKind({
  name: 'double',
  input: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
  run: (input: { n: number }) => ({ n: input.n * 2 }),
});

describe('createTaskServer settings', () => {
  it('checks an option as its variable is checked, naming the variable', () => {
    expect(() => createTaskServer({ port: 70_000, env: {} })).toThrow(new ConfigError('PORT must be between 0 and 65535, got 70000'));
    expect(() => createTaskServer({ executorConcurrency: 'many', env: {} })).toThrow(/EXECUTOR_CONCURRENCY must be an integer/);
  });

  it('refuses an unknown option, listing the known ones', () => {
    expect(() => createTaskServer({ concurency: 2, env: {} } as never)).toThrow(/unknown setting "concurency"; the settings are databaseUrl, /);
  });

  it('refuses kinds that cannot be named, and two kinds of one name', () => {
    expect(() => createTaskServer({ kinds: [{ run: () => 1 }], env: {} })).toThrow(/not a valid kind name/);
    const again = defineKind({ name: 'double', run: () => 0 });
    expect(() => createTaskServer({ kinds: [double, again], env: {} })).toThrow(/two different kinds are named "double"/);
  });
});

describePg('createTaskServer', () => {
  it('runs the app\'s kinds with the options given and the environment for the rest, until stopped', async () => {
    const database = await freshDatabase();
    // The environment says no executor; the option wins. The environment's LOG_LEVEL still applies.
    const server = createTaskServer({ kinds: [double], databaseUrl: database.url, port: 0, executorConcurrency: 2, env: { EXECUTOR_CONCURRENCY: '0', LOG_LEVEL: 'silent' } });
    expect(server.url).toBe('');
    try {
      const url = await server.start();
      expect(server.url).toBe(url);
      const post = async (query: string) =>
        (await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json();
      const { data } = await post('mutation { createDoubleTask(input: { n: 21 }) { task { id } } }');
      const id = data.createDoubleTask.task.id;
      await waitFor(async () => (await post(`{ task(id: "${id}") { status } }`)).data.task.status === 'COMPLETED', 10_000, 'the task');
      expect((await post(`{ task(id: "${id}") { result } }`)).data.task.result).toEqual({ n: 42 });
      expect((await post('{ taskKinds }')).data.taskKinds).toEqual(expect.arrayContaining(['double', 'echo', 'sleep', 'fail']));
    } finally {
      await server.stop();
      await database.drop();
    }
  });
});

describePg('TASK_KINDS', () => {
  it('adds the kinds of the module it names to a server started from the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'task-kinds-'));
    writeFileSync(join(dir, 'kinds.mjs'), `export const shout = { name: 'shout', run: (input) => String(input).toUpperCase() };\n`);
    const database = await freshDatabase();
    const server = await spawnServer({ DATABASE_URL: database.url, TASK_KINDS: join(dir, 'kinds.mjs') });
    try {
      const { data } = await server.gql(`mutation { createTask(input: { kind: "shout", input: "hey" }) { task { id } } }`);
      const id = data.createTask.task.id;
      await waitFor(async () => (await server.gql(`{ task(id: "${id}") { status } }`)).data.task.status === 'COMPLETED', 10_000, 'the task');
      expect((await server.gql(`{ task(id: "${id}") { result } }`)).data.task.result).toBe('HEY');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await database.drop();
    }
  });
});

describePg('createTaskServer kinds as plain objects', () => {
  it('turns the schemas of a plain kind object into its checks and typed mutation', async () => {
    const database = await freshDatabase();
    const { z } = await import('zod');
    const plain = { name: 'plain-shout', input: z.object({ text: z.string().min(1) }), run: (input: { text: string }) => input.text.toUpperCase() };
    const server = createTaskServer({ kinds: [plain], databaseUrl: database.url, port: 0, env: { LOG_LEVEL: 'silent' } });
    try {
      const url = await server.start();
      const post = async (query: string) =>
        (await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json();
      const refused = await post('mutation { createPlainShoutTask(input: { text: "" }) { task { id } } }');
      expect(refused.errors[0].extensions).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: '$.text' }] });
      const { data } = await post('mutation { createPlainShoutTask(input: { text: "hi" }) { task { id } } }');
      const id = data.createPlainShoutTask.task.id;
      await waitFor(async () => (await post(`{ task(id: "${id}") { status } }`)).data.task.status === 'COMPLETED', 10_000, 'the task');
      // Stopped twice (an app's finally, say): the second waits for the first.
      await Promise.all([server.stop(), server.stop()]);
    } finally {
      await server.stop();
      await database.drop();
    }
  });
});
