// The `ctx` a handler gets: its signal, its task, and log/progress writes. Writes of one attempt
// are chained, so they land in the order made and before the attempt's outcome; progress is
// coalesced, so a handler reporting in a tight loop costs one write per round trip, not per call.
import type { Logger } from '../logger.js';
import type { ClaimStore } from '../store/claims.js';
import type { ClaimedTask } from '../store/index.js';
import type { LazyAbortController, TaskContext } from './kind.js';

const MAX_LOG_CHARS = 16_384;

export interface AttemptWrites {
  ctx: TaskContext;
  /** Resolves when every write made so far has landed (or failed and been logged). */
  drained(): Promise<unknown>;
  /** Later calls of log and progress are ignored: the attempt has an outcome. */
  close(): void;
}

export function createTaskContext(
  task: ClaimedTask,
  abort: LazyAbortController,
  claims: ClaimStore,
  workerId: string,
  log: Logger,
): AttemptWrites {
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();
  let nextProgress: { fraction: number; message: string | null } | undefined;
  let progressWrite: Promise<void> | undefined;

  const write = (fn: () => Promise<unknown>): Promise<void> => {
    chain = chain.then(fn).catch((error) => log.warn({ err: error, taskId: task.id }, 'task write failed'));
    return chain.then(() => undefined);
  };

  const ctx: TaskContext = {
    get signal() {
      return abort.signal;
    },
    task: { id: task.id, kind: task.kind, attempt: task.attempts, maxAttempts: task.maxAttempts },
    log(message, level = 'info') {
      if (closed) return Promise.resolve();
      const text = String(message).slice(0, MAX_LOG_CHARS);
      return write(() => claims.log(workerId, task.id, task.attempts, level, text));
    },
    progress(fraction, message) {
      if (closed) return Promise.resolve();
      nextProgress = {
        fraction: Math.min(1, Math.max(0, Number(fraction) || 0)),
        message: message === undefined ? null : String(message),
      };
      progressWrite ??= write(async () => {
        progressWrite = undefined;
        const next = nextProgress;
        nextProgress = undefined;
        if (next) await claims.progress(workerId, task.id, task.attempts, next.fraction, next.message);
      });
      return progressWrite;
    },
  };
  return {
    ctx,
    drained: () => chain,
    close() {
      closed = true;
    },
  };
}
