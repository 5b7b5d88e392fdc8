// One attempt of one task as its handler sees it: the `ctx` (signal, task, log, progress) and the
// bookkeeping the executor needs. A class, because the executor makes tens of thousands of these a
// second and methods on a prototype cost no allocation per attempt, where closures would (measured:
// the per-task closures and an eager AbortController were a third of the executor's CPU time).
import { storedMessage } from '../limits.js';
import type { Logger } from '../logger.js';
import type { ClaimedTask, ClaimStore } from '../store/index.js';
import { startAttemptTrace, type AttemptTrace } from '../telemetry/attempt-span.js';
import { activeTracer } from '../telemetry/tracer.js';
import type { TaskContext, TaskDependency } from './kind.js';

const NONE: Readonly<Record<string, TaskDependency>> = Object.freeze({});

export interface AttemptDeps {
  claims: ClaimStore;
  workerId: string;
  log: Logger;
}

export class Attempt implements TaskContext {
  /** Set once: a later settlement (a late result after cancel or timeout) is discarded. */
  settled = false;
  readonly startedAt = Date.now();
  /** When it times out (epoch ms); the embedded runner checks it. */
  deadline = Infinity;
  private controller: AbortController | undefined;
  private aborted = false;
  private abortReason: unknown;
  private closed = false;
  /** Log and progress writes, chained so they land in order and before the outcome. */
  private writes: Promise<unknown> | undefined;
  private nextProgress: { fraction: number; message: string | null } | undefined;
  private progressWrite: Promise<void> | undefined;
  private info: TaskContext['task'] | undefined;
  /** Read before the handler runs, for a task with dependencies (runner.ts). */
  dependencies = NONE;
  /** Its spans, begun with it: runner.ts ends the run, executor-core.ts the rest once recorded. Undefined untraced. */
  readonly trace: AttemptTrace | undefined;

  constructor(
    readonly claimed: ClaimedTask,
    private readonly deps: AttemptDeps,
  ) {
    const { id, kind, attempts, queue, traceParent, runAt } = claimed;
    // Untraced, not even the description of the attempt is made (the hot path: one per task).
    this.trace = activeTracer() && startAttemptTrace({ id, kind, attempt: attempts, queue, traceparent: traceParent, workerId: deps.workerId, dueAt: runAt, startedAt: this.startedAt });
  }

  /** Made on first use: most short handlers never look at it. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get task(): TaskContext['task'] {
    const { id, kind, attempts, maxAttempts } = this.claimed;
    return (this.info ??= { id, kind, attempt: attempts, maxAttempts });
  }

  abort(reason: unknown) {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  log(message: string, level: 'debug' | 'info' | 'warn' | 'error' = 'info'): Promise<void> {
    if (this.closed) return Promise.resolve();
    const line = { workerId: this.deps.workerId, id: this.claimed.id, attempt: this.claimed.attempts, level, message: storedMessage(message) };
    return this.write(() => this.deps.claims.appendLog(line));
  }

  /** Coalesced: a burst of calls costs one write per round trip, with the newest value. */
  progress(fraction: number, message?: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.nextProgress = {
      fraction: Math.min(1, Math.max(0, Number(fraction) || 0)),
      message: message === undefined ? null : storedMessage(message),
    };
    this.progressWrite ??= this.write(async () => {
      this.progressWrite = undefined;
      const next = this.nextProgress;
      this.nextProgress = undefined;
      if (!next) return;
      const { claims, workerId } = this.deps;
      await claims.progress(workerId, this.claimed.id, this.claimed.attempts, next.fraction, next.message);
    });
    return this.progressWrite;
  }

  /** Later log and progress calls are ignored: the attempt has its outcome. */
  close() {
    this.closed = true;
  }

  /** Resolves when every write made so far has landed; undefined when none was made. */
  drained(): Promise<unknown> | undefined {
    return this.writes;
  }

  private write(fn: () => Promise<unknown>): Promise<void> {
    this.writes = (this.writes ?? Promise.resolve())
      .then(fn)
      .catch((error) => this.deps.log.warn({ err: error, taskId: this.claimed.id }, 'task write failed'));
    return this.writes.then(() => undefined);
  }
}
