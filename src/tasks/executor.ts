// The embedded executor: claim -> run the handler with an AbortSignal -> record the outcome.
// It knows nothing about GraphQL. Reads top to bottom: wake, claim, run, settle, flush.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Outcome } from '../store/claims.js';
import type { Store, Task } from '../store/index.js';
import type { EventPump } from './events.js';
import type { Registry } from './handlers.js';
import { TaskFailure, type TaskContext } from './kind.js';
import { outcomeOf, type Settlement } from './outcome.js';

export interface ExecutorOptions {
  store: Store;
  pump: EventPump;
  registry: Registry;
  log: Logger;
  concurrency: number;
  leaseSeconds: number;
  pollIntervalMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  maxPayloadBytes: number;
  workerId?: string;
}

interface Attempt {
  task: Task;
  controller: AbortController;
  timer?: NodeJS.Timeout;
  /** Set once: later settlements (a late result after cancel or timeout) are discarded. */
  settled: boolean;
  /** Progress and log writes, chained so they land before the outcome. */
  writes: Promise<unknown>;
  nextProgress?: { fraction: number; message: string | null };
  progressWrite?: Promise<void>;
  startedAt: number;
}

const MAX_LOG_CHARS = 16_384;

export function createExecutor(options: ExecutorOptions) {
  const { store, pump, registry } = options;
  const workerId = options.workerId ?? `${process.pid}-${randomUUID()}`;
  const log = options.log.child({ component: 'executor', workerId });
  const running = new Map<string, Attempt>();
  const outcomes: Array<{ attempt: Attempt; outcome: Outcome }> = [];
  let concurrency = options.concurrency;
  let stopping = false;
  let claiming = false;
  let claimQueued = false;
  let flushing: Promise<void> | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  const timers: NodeJS.Timeout[] = [];
  const unsubscribe: Array<() => void> = [];

  // --- claiming -------------------------------------------------------------------------------

  /** Coalesces every reason to claim within one turn of the event loop into one claim. */
  function wake() {
    if (claimQueued || stopping) return;
    claimQueued = true;
    setImmediate(() => {
      claimQueued = false;
      void claim();
    });
  }

  async function claim() {
    const free = concurrency - running.size;
    if (claiming || stopping || free <= 0) return;
    claiming = true;
    let tasks: Task[] = [];
    try {
      const kinds = registry.kinds();
      tasks = await store.claims.claim(workerId, kinds, free, options.leaseSeconds);
    } catch (error) {
      log.error({ err: error }, 'claim failed');
    } finally {
      claiming = false;
    }
    for (const task of tasks) run(task);
    // A full batch suggests more is waiting; a short one means the queue is drained for now and
    // the next claim waits for a notification or the poll.
    if (tasks.length === free) wake();
  }

  function poll() {
    pollTimer = setTimeout(() => {
      wake();
      poll();
    }, options.pollIntervalMs * (0.9 + Math.random() * 0.2));
    pollTimer.unref();
  }

  // --- running --------------------------------------------------------------------------------

  function run(task: Task) {
    const attempt: Attempt = {
      task,
      controller: new AbortController(),
      settled: false,
      writes: Promise.resolve(),
      startedAt: Date.now(),
    };
    running.set(task.id, attempt);
    log.info({ taskId: task.id, kind: task.kind, attempt: task.attempts }, 'task started');
    attempt.timer = setTimeout(() => {
      const error = new TaskFailure(`Timed out after ${task.timeoutSeconds} s`, 'TIMEOUT');
      attempt.controller.abort(error);
      settle(attempt, { error });
    }, task.timeoutSeconds * 1000);

    const kind = registry.get(task.kind);
    Promise.resolve()
      .then(() => {
        if (!kind) throw new TaskFailure(`No handler for kind ${task.kind}`, 'UNKNOWN_TASK_KIND', false);
        return kind.run(task.input, contextFor(attempt));
      })
      .then(
        (result) => settle(attempt, { result }),
        (error) => settle(attempt, { error }),
      );
  }

  function contextFor(attempt: Attempt): TaskContext {
    const { task } = attempt;
    const write = (fn: () => Promise<unknown>) => {
      attempt.writes = attempt.writes.then(fn).catch((error) => log.warn({ err: error, taskId: task.id }, 'write failed'));
      return attempt.writes.then(() => undefined);
    };
    return {
      signal: attempt.controller.signal,
      task: { id: task.id, kind: task.kind, attempt: task.attempts, maxAttempts: task.maxAttempts },
      log(message, level = 'info') {
        if (attempt.settled) return Promise.resolve();
        const text = String(message).slice(0, MAX_LOG_CHARS);
        return write(() => store.claims.log(workerId, task.id, task.attempts, level, text));
      },
      progress(fraction, message) {
        if (attempt.settled) return Promise.resolve();
        const value = Math.min(1, Math.max(0, Number(fraction) || 0));
        attempt.nextProgress = { fraction: value, message: message === undefined ? null : String(message) };
        // Only the newest value waiting to be written matters: a burst of calls costs one write.
        attempt.progressWrite ??= write(async () => {
          attempt.progressWrite = undefined;
          const next = attempt.nextProgress;
          attempt.nextProgress = undefined;
          if (next && !attempt.settled) {
            await store.claims.progress(workerId, task.id, task.attempts, next.fraction, next.message);
          }
        });
        return attempt.progressWrite;
      },
    };
  }

  function settle(attempt: Attempt, settlement: Settlement) {
    if (attempt.settled) {
      if (!stopping) log.info({ taskId: attempt.task.id }, 'late result of a settled attempt discarded');
      return;
    }
    attempt.settled = true;
    clearTimeout(attempt.timer);
    const outcome = outcomeOf(attempt.task, settlement, options);
    // Log lines and progress already written by the handler land before the outcome's event.
    void attempt.writes.then(() => {
      outcomes.push({ attempt, outcome });
      flush();
    });
  }

  // --- recording outcomes ---------------------------------------------------------------------

  /** One statement for every outcome that piled up meanwhile; slots free only after commit. */
  function flush(): Promise<void> {
    if (flushing) return flushing;
    flushing = (async () => {
      while (outcomes.length > 0) {
        const batch = outcomes.splice(0);
        let applied: Set<string>;
        try {
          applied = await store.claims.finish(workerId, batch.map((b) => b.outcome));
        } catch (error) {
          log.error({ err: error }, 'recording outcomes failed; retrying');
          outcomes.unshift(...batch);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          continue;
        }
        for (const { attempt, outcome } of batch) {
          running.delete(attempt.task.id);
          const fields = {
            taskId: outcome.id,
            kind: attempt.task.kind,
            attempt: outcome.attempt,
            durationMs: Date.now() - attempt.startedAt,
          };
          if (applied.has(outcome.id)) log.info({ ...fields, error: outcome.error }, `task ${outcome.event}`);
          else log.warn(fields, 'outcome discarded: the task was cancelled, timed out or reclaimed meanwhile');
        }
        wake();
      }
    })().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  // --- cancellation, leases, shutdown ---------------------------------------------------------

  function onEvents(events: readonly { type: string; taskId: string }[]) {
    for (const event of events) {
      if (event.type !== 'cancelled') continue;
      const attempt = running.get(event.taskId);
      if (!attempt || attempt.settled) continue;
      // Already CANCELLED in the database: abort the handler, free the slot, record nothing.
      attempt.settled = true;
      clearTimeout(attempt.timer);
      attempt.controller.abort(new TaskFailure('Cancelled', 'CANCELLED', false));
      running.delete(event.taskId);
      log.info({ taskId: event.taskId, kind: attempt.task.kind, attempt: attempt.task.attempts }, 'task cancelled while running');
      wake();
    }
  }

  async function renewLeases() {
    if (running.size === 0) return;
    try {
      await store.claims.renewLeases(workerId, options.leaseSeconds);
    } catch (error) {
      log.warn({ err: error }, 'lease renewal failed');
    }
  }

  async function requeueExpired() {
    try {
      const requeued = await store.claims.requeueExpired();
      for (const task of requeued) {
        log.warn({ taskId: task.id, kind: task.kind, status: task.status }, 'lease expired; task requeued');
      }
    } catch (error) {
      log.warn({ err: error }, 'requeueing expired tasks failed');
    }
  }

  return {
    workerId,
    start() {
      unsubscribe.push(pump.subscribe((batch) => onEvents(batch.events)));
      unsubscribe.push(pump.onWake(wake));
      const every = (ms: number, fn: () => void) => {
        const timer = setInterval(fn, ms);
        timer.unref();
        timers.push(timer);
      };
      every((options.leaseSeconds * 1000) / 3, () => void renewLeases());
      every((options.leaseSeconds * 1000) / 2, () => void requeueExpired());
      poll();
      void requeueExpired();
      wake();
    },

    /** Takes effect at once: more slots claim now; fewer slots never abort a running task. */
    setConcurrency(value: number) {
      concurrency = value;
      wake();
    },
    concurrency: () => concurrency,
    runningCount: () => running.size,

    /**
     * Stops claiming, lets running tasks finish within graceMs, then aborts the rest and hands
     * them back to the queue without counting the attempt.
     */
    async stop(graceMs: number) {
      stopping = true;
      clearTimeout(pollTimer);
      for (const timer of timers) clearInterval(timer);
      for (const fn of unsubscribe.splice(0)) fn();
      const deadline = Date.now() + graceMs;
      while (running.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await flush();
      const left = [...running.values()].filter((a) => !a.settled);
      for (const attempt of left) {
        attempt.settled = true;
        clearTimeout(attempt.timer);
        attempt.controller.abort(new TaskFailure('The server is shutting down', 'SHUTDOWN'));
      }
      if (left.length > 0) {
        const released = await store.claims.release(
          workerId,
          left.map((a) => ({ id: a.task.id, attempt: a.task.attempts })),
        );
        log.info({ released }, 'running tasks handed back to the queue');
      }
      running.clear();
    },
  };
}

export type Executor = ReturnType<typeof createExecutor>;
