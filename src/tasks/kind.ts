// What a task kind is: a handler, and optionally schemas of its input and result (defineKind) or a
// validate function, checked where the task is created (INVALID_INPUT instead of a failure later)
// and again where it runs (src/kinds/checked-run.ts).
import type { KindSchema } from './schemas.js';

/** A kind's name, as tasks, workers and defineKind give it; create<PascalName>Task is made from it. */
export const KIND_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,99}$/;

export interface TaskContext {
  /** Fires on cancel, timeout and shutdown; stop work and return or throw promptly. */
  readonly signal: AbortSignal;
  readonly task: { readonly id: string; readonly kind: string; readonly attempt: number; readonly maxAttempts: number };
  /** A log line, stored as an event that subscribers see live. */
  log(message: string, level?: 'debug' | 'info' | 'warn' | 'error'): Promise<void>;
  /** fraction in 0..1. Frequent calls are coalesced: only the latest value is sure to be written. */
  progress(fraction: number, message?: string): Promise<void>;
  /** The tasks this one depends on (dependsOn), by id, as they were when it started: empty when none. */
  readonly dependencies: Readonly<Record<string, TaskDependency>>;
}

export interface TaskDependency {
  readonly kind: string;
  readonly status: string;
  readonly result: unknown;
}

export type TaskHandler<I = any, R = unknown> = (input: I, ctx: TaskContext) => R | Promise<R>;

export interface TaskKind<I = any, R = unknown> {
  run: TaskHandler<I, R>;
  /** Returns an error message when input is unusable, nothing when it is fine. */
  validate?: (input: unknown) => string | undefined;
  /** Set by defineKind: the name it is registered under. */
  readonly name?: string;
  readonly description?: string;
  /** Checked at every create (INVALID_INPUT) and again before each run; shapes the typed mutation. */
  readonly input?: KindSchema;
  /** Checked on every result: one that fails it fails the attempt with INVALID_RESULT. */
  readonly result?: KindSchema;
}

/** An error a handler throws to give the task's error a stable code. */
export class TaskFailure extends Error {
  constructor(
    message: string,
    readonly code = 'HANDLER_ERROR',
    /** false: fail now, whatever attempts are left. */
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'TaskFailure';
  }
}

/** Resolves after ms, or rejects with the signal's reason as soon as it fires. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

