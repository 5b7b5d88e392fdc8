// The spans of one attempt of one task, wherever it runs (the embedded executor, or a worker that
// claims over GraphQL): `task.attempt <kind>`, linked to the trace of the request that created the
// task (its stored traceparent), with three children in turn: task.claim_wait (from when it became
// due to its start), task.run (the handler) and task.outcome (writing what it came to).
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Link, type Span } from '@opentelemetry/api';
import { spanContextOf } from './trace-parent.js';
import { activeTracer } from './tracer.js';

export interface AttemptSubject {
  id: string;
  kind: string;
  /** Its number in the task's series: 1 for the first. */
  attempt: number;
  /** Task.traceparent: the creating request's trace, which the attempt's span links to. */
  traceparent?: string | null;
  queue?: string | null;
  workerId?: string | null;
  /** When it became due (the task's runAt); with it, the claim wait is recorded. */
  dueAt?: Date | number | null;
  /** When it started, in epoch milliseconds; now when left out. */
  startedAt?: number;
}

/** completed, retrying, failed, timed_out; or cancelled, shutdown (aborted), discarded (its claim was lost). */
export type AttemptOutcome = 'completed' | 'retrying' | 'failed' | 'timed_out' | 'cancelled' | 'shutdown' | 'discarded' | (string & {});

/** Outcomes of a handler that failed: the attempt's span gets an error status. */
const FAILED = new Set(['retrying', 'failed', 'timed_out']);

export interface AttemptTrace {
  /** The context of the phase under way: the run's until ran(), the outcome's after. */
  readonly context: Context;
  /** fn in the run's context: spans the handler makes are children of task.run. */
  run<T>(fn: () => T): T;
  /** The handler returned, or threw (a timeout too): task.run ends, task.outcome begins. */
  ran(error?: unknown): void;
  /** The outcome is written, or void: every span of the attempt ends. Only the first call counts. */
  end(outcome: AttemptOutcome, error?: { code?: string; message: string } | null): void;
}

/**
 * The attempt's spans, begun; undefined while no tracer provider is registered (nothing is
 * allocated then). A remote worker calls it with the task claimTasks gave it, runs its handler in
 * run(), calls ran() when it returns, and end() once completeTask or failTask has answered.
 */
export function startAttemptTrace(subject: AttemptSubject): AttemptTrace | undefined {
  const tracer = activeTracer();
  if (!tracer) return undefined;
  const startedAt = subject.startedAt ?? Date.now();
  const dueAt = subject.dueAt == null ? undefined : Math.min(+subject.dueAt, startedAt);
  const attributes: Attributes = { 'task.id': subject.id, 'task.kind': subject.kind, 'task.attempt': subject.attempt };
  if (subject.queue) attributes['task.queue'] = subject.queue;
  if (subject.workerId) attributes['task.worker.id'] = subject.workerId;
  const created = spanContextOf(subject.traceparent);
  const links: Link[] | undefined = created && [{ context: created }];
  // A root: the attempt is its own trace, linked to (not part of) the creating request's, which
  // may have ended long before; and whatever request this process happens to serve is not its parent.
  const span = tracer.startSpan(`task.attempt ${subject.kind}`, { kind: SpanKind.CONSUMER, root: true, startTime: dueAt ?? startedAt, attributes, links });
  if (!span.isRecording()) return undefined;
  const within = trace.setSpan(ROOT_CONTEXT, span);
  if (dueAt !== undefined) tracer.startSpan('task.claim_wait', { startTime: dueAt }, within).end(startedAt);
  const run = tracer.startSpan('task.run', {}, within);
  return new Spans(span, within, run);
}

class Spans implements AttemptTrace {
  private outcome: Span | undefined;
  private ended = false;
  context: Context;

  constructor(
    private readonly attempt: Span,
    private readonly within: Context,
    private readonly running: Span,
  ) {
    this.context = trace.setSpan(within, running);
  }

  run<T>(fn: () => T): T {
    return context.with(this.context, fn);
  }

  ran(error?: unknown) {
    if (this.outcome || this.ended) return;
    if (error !== undefined) {
      this.running.recordException(error instanceof Error ? error : String(error));
      this.running.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    }
    this.running.end();
    const tracer = activeTracer();
    if (!tracer) return;
    this.outcome = tracer.startSpan('task.outcome', {}, this.within);
    this.context = trace.setSpan(this.within, this.outcome);
  }

  end(outcome: AttemptOutcome, error?: { code?: string; message: string } | null) {
    if (this.ended) return;
    this.ended = true;
    // Cancelled or aborted at shutdown while the handler ran: its run ends here.
    if (!this.outcome) this.running.end();
    this.outcome?.setAttribute('task.outcome', outcome);
    this.outcome?.end();
    this.attempt.setAttribute('task.outcome', outcome);
    if (error?.code) this.attempt.setAttribute('task.error.code', error.code);
    if (FAILED.has(outcome)) this.attempt.setStatus({ code: SpanStatusCode.ERROR, message: error?.message ?? outcome });
    this.attempt.end();
  }
}
