// Typed kinds as an app defines them (defineKind with a zod schema and with a JSON Schema): the
// generated create<Kind>Task mutation and its input type, every failing path of a bad input through
// any mutation, the input checked again before a run, and a result that fails its schema.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { z } from 'zod';
import { defineKind } from '../src/kinds/define-kind.js';
import { describePg } from './support/db.js';
import { appForFile, waitFor } from './support/app.js';

const seen: unknown[] = [];
const resizeImage = defineKind({
  name: 'resize-image',
  description: 'Resizes an image.',
  input: z.object({
    url: z.string().url(),
    width: z.number().int().min(1).max(10_000),
    format: z.enum(['png', 'jpeg']).default('png'),
    tags: z.array(z.string()).optional(),
  }),
  result: z.object({ bytes: z.number().int() }),
  run: (input) => {
    seen.push(input);
    return { bytes: input.width * 10 };
  },
});
const sendMail = defineKind({
  name: 'mail.send',
  input: {
    type: 'object',
    properties: { to: { type: 'string', format: 'email' }, subject: { type: 'string' }, priority: { enum: ['low', 'high'], default: 'low' } },
    required: ['to', 'subject'],
    additionalProperties: false,
  },
  result: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  run: (input: { to: string; subject: string; priority: string }) => (input.subject === 'broken' ? { id: 42 } : { id: `sent to ${input.to} (${input.priority})` }),
});

// A Standard Schema that cannot say its JSON Schema (as valibot's, without its converter): the
// mutation is made, its input typed JSON, and the schema still checks every input.
const evenOnly: StandardSchemaV1<number> = {
  '~standard': {
    version: 1,
    vendor: 'hand-written',
    validate: (value) => (typeof value === 'number' && value % 2 === 0 ? { value } : { issues: [{ message: 'must be an even number' }] }),
  },
};
const halve = defineKind({ name: 'halve', input: evenOnly, run: (n) => n / 2 });
// A transform: what the handler gets is not what the client sends, and need not be valid input.
const sum = defineKind({ name: 'sum', input: z.string().transform((s) => s.split(',').map(Number)), run: (numbers: number[]) => numbers.reduce((a, b) => a + b, 0) });

describePg('typed kinds', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '4' }, { [resizeImage.name]: resizeImage, [sendMail.name]: sendMail, [halve.name]: halve, [sum.name]: sum });
  const statusOf = async (id: string) =>
    (await app.gql(`query($id: ID!) { task(id: $id) { status attempts result error { code message } queue priority } }`, { id })).data.task;
  const ended = (id: string) =>
    waitFor(async () => ['COMPLETED', 'FAILED'].includes((await statusOf(id)).status), 20_000, `task ${id} to end`);

  it('generates a typed mutation per kind with a schema, its input type from the schema', async () => {
    const { data } = await app.gql(`{
      m: __type(name: "Mutation") { fields { name args { name type { kind name ofType { name } } } } }
      i: __type(name: "ResizeImageInput") { inputFields { name type { kind name ofType { kind name ofType { name } } } } }
      f: __type(name: "ResizeImageInputFormat") { enumValues { name } }
      mail: __type(name: "MailSendInput") { inputFields { name type { kind name ofType { name } } } }
    }`);
    const names = data.m.fields.map((f: { name: string }) => f.name);
    expect(names).toEqual(expect.arrayContaining(['createResizeImageTask', 'createMailSendTask', 'createSleepTask', 'createTask']));
    const typed = data.m.fields.find((f: { name: string }) => f.name === 'createResizeImageTask');
    expect(typed.args).toEqual([
      { name: 'input', type: { kind: 'NON_NULL', name: null, ofType: { name: 'ResizeImageInput' } } },
      { name: 'options', type: { kind: 'INPUT_OBJECT', name: 'TaskOptionsInput', ofType: null } },
    ]);
    const fields = Object.fromEntries(data.i.inputFields.map((f: { name: string; type: unknown }) => [f.name, f.type]));
    expect(fields.url).toEqual({ kind: 'NON_NULL', name: null, ofType: { kind: 'SCALAR', name: 'String', ofType: null } });
    // zod's int() is bounded by 2^53: beyond GraphQL's Int, so Float; min/max here fit 32 bits.
    expect(fields.width).toEqual({ kind: 'NON_NULL', name: null, ofType: { kind: 'SCALAR', name: 'Int', ofType: null } });
    expect(fields.format).toEqual({ kind: 'ENUM', name: 'ResizeImageInputFormat', ofType: null });
    expect(fields.tags).toEqual({ kind: 'LIST', name: null, ofType: { kind: 'NON_NULL', name: null, ofType: { name: 'String' } } });
    expect(data.f.enumValues.map((v: { name: string }) => v.name)).toEqual(['jpeg', 'png']);
    expect(data.mail.inputFields.map((f: { name: string }) => f.name).sort()).toEqual(['priority', 'subject', 'to']);
  });

  it('types as JSON the input of a schema that cannot say its JSON Schema, and still checks it', async () => {
    const { data } = await app.gql(`{ __type(name: "Mutation") { fields { name args { name type { kind ofType { name } } } } } }`);
    const typed = data.__type.fields.find((f: { name: string }) => f.name === 'createHalveTask');
    expect(typed.args[0]).toEqual({ name: 'input', type: { kind: 'NON_NULL', ofType: { name: 'JSON' } } });
    const odd = await app.gql(`mutation { createHalveTask(input: 7) { task { id } } }`);
    expect(odd.errors[0].extensions).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: '$', message: 'must be an even number' }] });
    const even = await app.gql(`mutation { createHalveTask(input: 8) { task { id } } }`);
    await ended(even.data.createHalveTask.task.id);
    expect((await statusOf(even.data.createHalveTask.task.id)).result).toBe(4);
  });

  it('runs a task made through the typed mutation, with its options and the defaults its schema gives', async () => {
    const { data, errors } = await app.gql(
      `mutation { createResizeImageTask(input: { url: "https://example.com/a.png", width: 64 }, options: { priority: 7, queue: "images" }) { task { id status } deduplicated } }`,
    );
    expect(errors).toBeUndefined();
    const id = data.createResizeImageTask.task.id;
    await ended(id);
    expect(await statusOf(id)).toMatchObject({ status: 'COMPLETED', result: { bytes: 640 }, queue: 'images', priority: 7 });
    // Stored as given; the handler gets it as the schema gives it back, with its default.
    const [{ input }] = await app.db.query<{ input: unknown }>(sql`SELECT input FROM tasks WHERE id = ${id}::bigint`);
    expect(input).toEqual({ url: 'https://example.com/a.png', width: 64 });
    expect(seen).toContainEqual({ url: 'https://example.com/a.png', width: 64, format: 'png' });
    const summed = await app.gql(`mutation { createSumTask(input: "1,2,39") { task { id } } }`);
    await ended(summed.data.createSumTask.task.id);
    expect(await statusOf(summed.data.createSumTask.task.id)).toMatchObject({ status: 'COMPLETED', result: 42 });
  });

  it('refuses a bad input through any mutation with INVALID_INPUT listing every failing path, and writes nothing', async () => {
    const [{ before }] = await app.db.query<{ before: number }>(sql`SELECT count(*)::int AS before FROM tasks`);
    const single = await app.gql(`mutation { createTask(input: { kind: "resize-image", input: { url: "nope", width: 0, extra: 1 } }) { task { id } } }`);
    expect(single.errors[0].extensions.code).toBe('INVALID_INPUT');
    const paths = single.errors[0].extensions.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(['$.url', '$.width']);
    expect(single.errors[0].message).toMatch(/\$\.url .*; \$\.width /);
    const typed = await app.gql(`mutation { createResizeImageTask(input: { url: "https://x.io", width: 20000 }) { task { id } } }`);
    expect(typed.errors[0].extensions).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: '$.width' }] });
    // JSON Schema formats are checked.
    const mail = await app.gql(`mutation { createMailSendTask(input: { to: "not-an-address", subject: "s", priority: high }) { task { id } } }`);
    expect(mail.errors[0].extensions).toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: '$.to', message: 'must match format "email"' }] });
    const batch = await app.gql(
      `mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`,
      { inputs: [{ kind: 'echo', input: 1 }, { kind: 'mail.send', input: { to: 'someone@x.io' } }, { kind: 'resize-image', input: { url: 'https://x.io', width: 'wide' } }] },
    );
    expect(batch.errors[0].extensions.issues.map((i: { task: number; path: string }) => `${i.task}:${i.path}`).sort()).toEqual(['1:$', '2:$.width']);
    const flow = await app.gql(`mutation($input: CreateFlowInput!) { createFlow(input: $input) { id } }`, {
      input: { tasks: [{ ref: 'ok', kind: 'echo' }, { ref: 'bad', kind: 'mail.send', input: { to: 'x' }, dependsOn: ['ok'] }] },
    });
    expect(flow.errors[0].extensions.issues.map((i: { task: string }) => i.task)).toContain('bad');
    const [{ after }] = await app.db.query<{ after: number }>(sql`SELECT count(*)::int AS after FROM tasks`);
    expect(after).toBe(before);
  });

  it('checks the input again before a run (a task that skipped the create check fails INVALID_INPUT, not retried)', async () => {
    // Written through the store, as a task enqueued from SQL would be: no create-time check.
    const [task] = await app.store.tasks.insertTasks([
      { kind: 'resize-image', input: { url: 'nope', width: 1 }, priority: 0, runAt: null, maxAttempts: 3, timeoutSeconds: 60, idempotencyKey: null, queue: 'default', concurrencyKey: null, uniqueKey: null, uniqueSeconds: null },
    ]);
    await ended(task.id);
    const read = await statusOf(task.id);
    expect(read).toMatchObject({ status: 'FAILED', attempts: 1, error: { code: 'INVALID_INPUT' } });
    expect(read.error.message).toContain('$.url');
  });

  it('fails an attempt whose result does not match the result schema with INVALID_RESULT', async () => {
    const { data } = await app.gql(`mutation { createMailSendTask(input: { to: "abc@x.io", subject: "broken" }, options: { maxAttempts: 2 }) { task { id } } }`);
    const id = data.createMailSendTask.task.id;
    await ended(id);
    const read = await statusOf(id);
    expect(read).toMatchObject({ status: 'FAILED', attempts: 2, error: { code: 'INVALID_RESULT' } });
    expect(read.error.message).toContain('$.id');
    const good = await app.gql(`mutation { createMailSendTask(input: { to: "abc@x.io", subject: "hi" }) { task { id } } }`);
    await ended(good.data.createMailSendTask.task.id);
    // The JSON Schema's default reaches the handler.
    expect((await statusOf(good.data.createMailSendTask.task.id)).result).toEqual({ id: 'sent to abc@x.io (low)' });
  });
});
