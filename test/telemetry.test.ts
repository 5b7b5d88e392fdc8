// Traces: the operation's span continues the caller's trace (traceparent), the task stores it, and
// each attempt's span links to it, with its claim wait, run and outcome; in process through the
// SDK's in-memory exporter, then across processes through a real OTLP/HTTP receiver; and a server
// the variables leave off stores no traceparent and never loads the SDK.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, propagation, SpanKind, SpanStatusCode, trace, type HrTime } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import pino from 'pino';
import { runRemoteWorker } from '../src/remote-worker/index.js';
import { tracingWanted } from '../src/telemetry/setup.js';
import { spanContextOf } from '../src/telemetry/trace-parent.js';
import { appForFile, waitFor } from './support/app.js';
import { describePg } from './support/db.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';
import { serversForFile } from './support/servers.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const CREATE = `mutation CreateTraced($input: CreateTaskInput!) { createTask(input: $input) { task { id traceparent } } }`;

async function post(url: string, query: string, variables: object = {}, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

describe('tracing from the OTEL_* variables', () => {
  it('is on for an OTLP endpoint or a named exporter, off otherwise', () => {
    expect(tracingWanted({})).toBeUndefined();
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ', OTEL_TRACES_EXPORTER: '' })).toBeUndefined();
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({ exporters: ['otlp'], unknown: [] });
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })?.exporters).toEqual(['otlp']);
    expect(tracingWanted({ OTEL_TRACES_EXPORTER: 'console' })?.exporters).toEqual(['console']);
    expect(tracingWanted({ OTEL_TRACES_EXPORTER: 'otlp, zipkin' })).toEqual({ exporters: ['otlp'], unknown: ['zipkin'] });
    expect(tracingWanted({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBeUndefined();
    expect(tracingWanted({ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBeUndefined();
  });

  it('reads a stored traceparent back as the span context it names, and nothing else', () => {
    const [traceId, spanId] = [hex(16), hex(8)];
    expect(spanContextOf(`00-${traceId}-${spanId}-01`)).toEqual({ traceId, spanId, traceFlags: 1, isRemote: true });
    for (const bad of [null, '', 'garbage', `00-${'0'.repeat(32)}-${spanId}-01`, `ff-${traceId}-${spanId}-01`, `00-${traceId}-${spanId}-01-more`]) {
      expect(spanContextOf(bad)).toBeUndefined();
    }
  });
});

const ms = (time: HrTime) => time[0] * 1000 + time[1] / 1e6;

describePg('traces in process (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  // Registered before the app starts, as an embedding application would: the app uses it as it is.
  beforeAll(() => provider.register());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  const app = appForFile({}, { 'traced-work': { run: () => trace.getTracer('test').startActiveSpan('handler work', (span) => span.end()) } });
  const finished = () => exporter.getFinishedSpans();
  const span = (what: string, test: (s: ReadableSpan) => boolean) => waitFor(async () => finished().find(test), 15_000, what);
  const waitForSpan = span;
  const attemptsOf = (id: string) => finished().filter((s) => s.name.startsWith('task.attempt ') && s.attributes['task.id'] === id);
  const childrenOf = (parent: ReadableSpan) => finished().filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);

  it("continues the caller's trace into the operation, the task's traceparent and its attempt's link", async () => {
    const [traceId, callerSpan] = [hex(16), hex(8)];
    const created = await post(app.url, CREATE, { input: { kind: 'traced-work' } }, { traceparent: `00-${traceId}-${callerSpan}-01` });
    const { id, traceparent } = created.data.createTask.task;
    const operation = await span('the operation span', (s) => s.name === 'graphql.mutation CreateTraced' && s.spanContext().traceId === traceId);
    expect(operation.parentSpanContext?.spanId).toBe(callerSpan);
    expect(operation.kind).toBe(SpanKind.SERVER);
    expect(operation.attributes).toEqual({ 'graphql.operation.type': 'mutation', 'graphql.operation.name': 'CreateTraced' });
    expect(operation.status.code).toBe(SpanStatusCode.UNSET);
    // The task stores the operation's span, in the caller's trace.
    expect(traceparent).toBe(`00-${traceId}-${operation.spanContext().spanId}-01`);
    const [row] = await app.db.query<{ trace_parent: string | null }>(sql`SELECT trace_parent FROM tasks WHERE id = ${id}::bigint`);
    expect(row.trace_parent).toBe(traceparent);

    const attempt = await span('the attempt span', (s) => s.name === 'task.attempt traced-work' && s.attributes['task.id'] === id);
    expect(attempt.kind).toBe(SpanKind.CONSUMER);
    // A trace of its own, linked to the creating one.
    expect(attempt.parentSpanContext).toBeUndefined();
    expect(attempt.spanContext().traceId).not.toBe(traceId);
    expect(attempt.links.map((l) => l.context)).toEqual([expect.objectContaining({ traceId, spanId: operation.spanContext().spanId })]);
    expect(attempt.attributes).toMatchObject({ 'task.id': id, 'task.kind': 'traced-work', 'task.attempt': 1, 'task.queue': 'default', 'task.outcome': 'completed' });
    expect(attempt.status.code).toBe(SpanStatusCode.UNSET);
    const phases = childrenOf(attempt);
    expect(phases.map((s) => s.name).sort()).toEqual(['task.claim_wait', 'task.outcome', 'task.run']);
    const [wait, run, outcome] = ['task.claim_wait', 'task.run', 'task.outcome'].map((name) => phases.find((s) => s.name === name)!);
    // One after the other, to the millisecond or two that the span clocks differ by.
    expect(ms(wait.startTime)).toBe(ms(attempt.startTime));
    expect(ms(run.startTime)).toBeGreaterThanOrEqual(ms(wait.endTime) - 2);
    expect(ms(outcome.startTime)).toBeGreaterThanOrEqual(ms(run.endTime) - 2);
    expect(ms(attempt.endTime)).toBeGreaterThanOrEqual(ms(outcome.endTime) - 2);
    expect(outcome.attributes['task.outcome']).toBe('completed');
    // The handler ran in the run's context: its own span is the run's child.
    const work = finished().find((s) => s.name === 'handler work' && s.spanContext().traceId === attempt.spanContext().traceId);
    expect(work?.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
  });

  it('gives each failing attempt an error status, with the exception on its run', async () => {
    const created = await post(app.url, CREATE, { input: { kind: 'fail', input: { message: 'broken on purpose' }, maxAttempts: 2 } });
    const { id, traceparent } = created.data.createTask.task;
    await waitFor(async () => attemptsOf(id).length === 2, 15_000, 'both attempts');
    const [first, second] = attemptsOf(id).sort((a, b) => Number(a.attributes['task.attempt']) - Number(b.attributes['task.attempt']));
    expect(first.attributes).toMatchObject({ 'task.attempt': 1, 'task.outcome': 'retrying', 'task.error.code': 'TASK_FAILED' });
    expect(second.attributes).toMatchObject({ 'task.attempt': 2, 'task.outcome': 'failed', 'task.error.code': 'TASK_FAILED' });
    for (const attempt of [first, second]) {
      expect(attempt.status).toEqual({ code: SpanStatusCode.ERROR, message: 'broken on purpose' });
      expect(attempt.links[0].context.spanId).toBe(spanContextOf(traceparent)!.spanId);
      const run = childrenOf(attempt).find((s) => s.name === 'task.run')!;
      expect(run.status.code).toBe(SpanStatusCode.ERROR);
      expect(run.events.find((e) => e.name === 'exception')?.attributes?.['exception.message']).toBe('broken on purpose');
    }
  });

  it('starts a new trace for a request without traceparent, and marks an operation that failed', async () => {
    await post(app.url, `query Kinds { taskKinds }`);
    const kinds = await span('the query span', (s) => s.name === 'graphql.query Kinds');
    expect(kinds.parentSpanContext).toBeUndefined();
    expect(kinds.attributes).toEqual({ 'graphql.operation.type': 'query', 'graphql.operation.name': 'Kinds' });
    expect(kinds.status.code).toBe(SpanStatusCode.UNSET);
    const refused = await post(app.url, `query Missing { task(id: "not-an-id") { id } }`);
    expect(refused.errors[0].extensions.code).toBe('INVALID_INPUT');
    const missing = await span('the refused query span', (s) => s.name === 'graphql.query Missing');
    expect(missing.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("traces a subscription over WebSocket in the trace of the socket's upgrade request", async () => {
    const [traceId, callerSpan] = [hex(16), hex(8)];
    const { id } = (await post(app.url, CREATE, { input: { kind: 'echo' } })).data.createTask.task;
    class Traced extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { traceparent: `00-${traceId}-${callerSpan}-01` } });
      }
    }
    const client = createClient({ url: `${app.url.replace('http', 'ws')}/graphql`, webSocketImpl: Traced, retryAttempts: 0 });
    try {
      const query = `subscription Follow($id: ID!) { taskUpdated(id: $id) { status } }`;
      // The task's stream ends once it has ended.
      await new Promise<void>((resolve, reject) => client.subscribe({ query, variables: { id } }, { next: () => {}, error: reject, complete: resolve }));
    } finally {
      await client.dispose();
    }
    const follow = await span('the subscription span', (s) => s.name === 'graphql.subscription Follow');
    expect(follow.spanContext().traceId).toBe(traceId);
    expect(follow.parentSpanContext?.spanId).toBe(callerSpan);
  });

  it('gives an external worker the traceparent in claimTasks, and a Node worker makes the same attempt spans', async () => {
    const kinds = {
      'remote-traced': { run: () => trace.getTracer('test').startActiveSpan('remote work', (s) => s.end()) },
    };
    const worker = await runRemoteWorker({ url: `${app.url}/graphql`, kinds, name: 'traced-remote', log: pino({ level: 'silent' }), waitSeconds: 1 });
    try {
      const caller = `00-${hex(16)}-${hex(8)}-01`;
      const created = (await post(app.url, CREATE, { input: { kind: 'remote-traced' } }, { traceparent: caller })).data.createTask.task;
      expect(spanContextOf(created.traceparent)!.traceId).toBe(spanContextOf(caller)!.traceId);
      const span = await waitForSpan('the remote attempt', (s) => s.name === 'task.attempt remote-traced' && s.attributes['task.id'] === created.id);
      expect(span.links[0].context).toMatchObject(spanContextOf(created.traceparent)!);
      expect(span.attributes).toMatchObject({ 'task.id': created.id, 'task.attempt': 1, 'task.worker.id': worker.workerId, 'task.outcome': 'completed', 'task.queue': 'default' });
      expect(childrenOf(span).map((s) => s.name).sort()).toEqual(['task.claim_wait', 'task.outcome', 'task.run']);
      const run = childrenOf(span).find((s) => s.name === 'task.run')!;
      expect(finished().find((s) => s.name === 'remote work')?.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
    } finally {
      await worker.stop();
    }
  });
});

const moduleLogs: string[] = [];
afterAll(() => moduleLogs.forEach((file) => rmSync(file, { force: true })));

/** Which @opentelemetry modules a server process resolves (test/support/module-log.mjs). */
function moduleLog() {
  const file = join(tmpdir(), `task-executor-modules-${hex(6)}.log`);
  moduleLogs.push(file);
  const hook = new URL('./support/module-log.mjs', import.meta.url).href;
  return {
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${hook}`.trim(), MODULE_LOG: file },
    read: () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []),
  };
}

const SDK_MODULE = /\/@opentelemetry\/(sdk-[\w-]+|exporter-[\w-]+|otlp-[\w-]+|resources|core|context-async-hooks)\//;
/** Whatever the environment running the tests has set, the servers start from none of it. */
const NO_OTEL = { OTEL_SDK_DISABLED: '', OTEL_TRACES_EXPORTER: '', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', OTEL_SERVICE_NAME: '' };

describePg('traces across processes', () => {
  const cluster = serversForFile();
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(() => receiver?.close());

  it('exports the operation and the attempt over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const modules = moduleLog();
    const server = await cluster.start({
      ...NO_OTEL, ...modules.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_SERVICE_NAME: 'traced-executor',
    });
    const [traceId, callerSpan] = [hex(16), hex(8)];
    const created = await post(server.url, CREATE, { input: { kind: 'echo', input: 'over otlp' } }, { traceparent: `00-${traceId}-${callerSpan}-01` });
    const { id } = created.data.createTask.task;
    const received = (test: (s: (typeof receiver.spans)[number]) => boolean, what: string) => waitFor(async () => receiver.spans.find(test), 15_000, what);
    const operation = await received((s) => s.name === 'graphql.mutation CreateTraced' && s.traceId === traceId, 'the operation span');
    expect(operation.parentSpanId).toBe(callerSpan);
    expect(operation.attributes).toEqual({ 'graphql.operation.type': 'mutation', 'graphql.operation.name': 'CreateTraced' });
    const attempt = await received((s) => s.name === 'task.attempt echo' && s.attributes['task.id'] === id, 'the attempt span');
    expect(attempt.links).toEqual([{ traceId, spanId: operation.spanId }]);
    expect(attempt.attributes).toMatchObject({ 'task.kind': 'echo', 'task.attempt': 1, 'task.outcome': 'completed' });
    await received((s) => s.name === 'task.outcome' && s.parentSpanId === attempt.spanId, 'the outcome span');
    for (const s of [operation, attempt]) expect(s.resource['service.name']).toBe('traced-executor');
    expect(receiver.refused).toEqual([]);
    // The module check the next test relies on does see the SDK when it is loaded.
    expect(modules.read().filter((url) => SDK_MODULE.test(url)).length).toBeGreaterThan(0);
  });

  it('stores no traceparent and loads no SDK module when no variable asks for tracing', async () => {
    const modules = moduleLog();
    const server = await cluster.start({ ...NO_OTEL, ...modules.env });
    const created = await post(server.url, CREATE, { input: { kind: 'echo' } }, { traceparent: `00-${hex(16)}-${hex(8)}-01` });
    const { id, traceparent } = created.data.createTask.task;
    expect(traceparent).toBeNull();
    const row = await waitFor(async () => {
      const [task] = await cluster.db.query<{ status: string; trace_parent: string | null }>(sql`SELECT status::text AS status, trace_parent FROM tasks WHERE id = ${id}::bigint`);
      return task?.status === 'completed' && task;
    }, 15_000, 'the task to complete');
    expect(row.trace_parent).toBeNull();
    const loaded = modules.read();
    // The hook saw the process resolve the API (which every server loads), and nothing of the SDK.
    expect(loaded.some((url) => url.includes('/@opentelemetry/api/'))).toBe(true);
    expect(loaded.filter((url) => SDK_MODULE.test(url))).toEqual([]);
  });
});
