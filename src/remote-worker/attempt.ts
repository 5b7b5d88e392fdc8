// One attempt of a claimed task as its handler sees it: the same TaskContext the embedded executor
// gives (signal, task, log, progress, dependencies), with log lines and progress sent over GraphQL.
// Writes are chained, so they land in order and before the outcome, and progress is coalesced as
// the embedded executor does it: a burst of calls costs one request per round trip, with the newest
// value.
import { storedMessage } from '../limits.js';
import type { Logger } from '../logger.js';
import type { TaskContext, TaskDependency } from '../tasks/kind.js';
import { startAttemptTrace, type AttemptTrace } from '../telemetry/attempt-span.js';
import { isTransient, refusalCode } from './graphql-client.js';
import type { ClaimedTask, Protocol } from './protocol.js';

export interface AttemptDeps {
  protocol: Protocol;
  log: Logger;
  /** The server says the task is no longer this worker's (cancelled, timed out, lease lost). */
  lost(attempt: RemoteAttempt, code: string): void;
}

/** Refusals of a log or progress write meaning the handler works for nothing: stop it. */
const GONE = new Set(['NOT_TASK_OWNER', 'TASK_FINISHED']);

function dependenciesOf(task: ClaimedTask): Readonly<Record<string, TaskDependency>> {
  const dependencies: Record<string, TaskDependency> = {};
  // GraphQL spells statuses as its enum; a handler reads them as the embedded executor gives them.
  for (const d of task.dependencies ?? []) dependencies[d.id] = Object.freeze({ kind: d.kind, status: d.status.toLowerCase(), result: d.result });
  return Object.freeze(dependencies);
}

export class RemoteAttempt implements TaskContext {
  /** Set once: a later settlement (a late result after cancel or timeout) is discarded. */
  settled = false;
  timer: NodeJS.Timeout | undefined;
  /** Its spans when tracing is on: the handler runs in them; ended with what the server recorded. */
  readonly trace: AttemptTrace | undefined;
  readonly task: TaskContext['task'];
  readonly dependencies: Readonly<Record<string, TaskDependency>>;
  private readonly controller = new AbortController();
  private writes: Promise<unknown> = Promise.resolve();
  private nextProgress: { fraction: number; message: string | null } | undefined;
  private progressWrite: Promise<void> | undefined;

  constructor(
    readonly claimed: ClaimedTask,
    /** The worker id the task was claimed under: a re-registered worker has another. */
    readonly workerId: string,
    private readonly deps: AttemptDeps,
  ) {
    const { id, kind, attempts, maxAttempts } = claimed;
    this.task = Object.freeze({ id, kind, attempt: attempts, maxAttempts });
    this.dependencies = dependenciesOf(claimed);
    const { queue, traceparent, runAt } = claimed;
    this.trace = startAttemptTrace({ id, kind, attempt: attempts, queue, traceparent, workerId, dueAt: runAt ? Date.parse(runAt) : null });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason: Error) {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  log(message: string, level: 'debug' | 'info' | 'warn' | 'error' = 'info'): Promise<void> {
    if (this.settled) return Promise.resolve();
    const text = storedMessage(message);
    return this.write(() => this.deps.protocol.log(this.claimed.id, this.workerId, text, level));
  }

  progress(fraction: number, message?: string): Promise<void> {
    if (this.settled) return Promise.resolve();
    this.nextProgress = {
      fraction: Math.min(1, Math.max(0, Number(fraction) || 0)),
      message: message === undefined ? null : storedMessage(message),
    };
    this.progressWrite ??= this.write(async () => {
      this.progressWrite = undefined;
      const next = this.nextProgress;
      this.nextProgress = undefined;
      if (next) await this.deps.protocol.progress(this.claimed.id, this.workerId, next.fraction, next.message);
    });
    return this.progressWrite;
  }

  /** Resolves when every write made so far has landed (or failed). */
  drained(): Promise<unknown> {
    return this.writes;
  }

  private write(fn: () => Promise<unknown>): Promise<void> {
    this.writes = this.writes.then(fn).catch((error) => this.writeFailed(error));
    return this.writes.then(() => undefined);
  }

  private writeFailed(error: unknown) {
    const code = refusalCode(error);
    if (code && GONE.has(code)) return this.deps.lost(this, code);
    // Like the embedded executor's: a lost log line or progress value does not fail the task.
    this.deps.log.warn({ taskId: this.claimed.id, err: (error as Error).message, transient: isTransient(error) }, 'task write failed');
  }
}
