// Runs claimed attempts in this process: the handler with its ctx, the timeouts, and the one
// settlement each attempt gets (a result, an error, a timeout, or a cancel or shutdown that
// aborts it and records nothing). A late result of a settled attempt is discarded.
import { batched } from '../batch.js';
import type { Logger } from '../logger.js';
import type { TaskMetrics } from '../metrics.js';
import type { ClaimedTask, Outcome } from '../store/index.js';
import { Attempt, type AttemptDeps } from './attempt.js';
import { createDeadlines } from './deadlines.js';
import type { Registry } from './handlers.js';
import { TaskFailure, type TaskDependency } from './kind.js';
import { outcomeOf, timeoutFailure, type OutcomeLimits, type Settlement } from './outcome.js';

export interface RunnerOptions {
  registry: Registry;
  attempts: AttemptDeps;
  limits: OutcomeLimits;
  log: Logger;
  logTransitions: boolean;
  metrics?: TaskMetrics;
  /** Shutting down: late results are expected, not worth a log line. */
  stopping: () => boolean;
  /** The handler is done or timed out: its slot is free, and its outcome is to be recorded. */
  settled(attempt: Attempt, outcome: Outcome): void;
}

export function createRunner(options: RunnerOptions) {
  const { registry, log } = options;
  const running = new Map<string, Attempt>();
  const deadlines = createDeadlines(running, timeOut);
  // The dependencies of every task a claim starts, read in one statement.
  const dependency = batched((ids) => options.attempts.claims.dependenciesOf(ids));

  function start(task: ClaimedTask) {
    const attempt = new Attempt(task, options.attempts);
    attempt.deadline = attempt.startedAt + task.timeoutSeconds * 1000;
    running.set(task.id, attempt);
    deadlines.watch();
    options.metrics?.started(task.kind, (attempt.startedAt - task.runAt.getTime()) / 1000);
    if (options.logTransitions) log.info({ taskId: task.id, kind: task.kind, attempt: task.attempts }, 'task started');
    // A task with dependencies runs once their rows are read; a cancel or timeout meanwhile settles it.
    if (task.dependsOn?.length) {
      Promise.all(task.dependsOn.map(dependency)).then(
        (rows) => {
          const dependencies: Record<string, TaskDependency> = {};
          for (const row of rows) if (row) dependencies[row.id] = { kind: row.kind, status: row.status, result: row.result };
          attempt.dependencies = Object.freeze(dependencies);
          if (!attempt.settled) run(attempt);
        },
        (error) => settle(attempt, { ok: false, error }),
      );
    } else {
      run(attempt);
    }
  }

  function run(attempt: Attempt) {
    const task = attempt.claimed;
    const kind = registry.get(task.kind);
    let result: unknown;
    try {
      if (!kind) throw new TaskFailure(`No handler for kind ${task.kind}`, 'UNKNOWN_TASK_KIND', false);
      result = attempt.trace ? attempt.trace.run(() => kind.run(task.input, attempt)) : kind.run(task.input, attempt);
    } catch (error) {
      return settle(attempt, { ok: false, error });
    }
    if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(
        (value) => settle(attempt, { ok: true, result: value }),
        (error) => settle(attempt, { ok: false, error }),
      );
    } else {
      settle(attempt, { ok: true, result });
    }
  }

  function timeOut(attempt: Attempt) {
    const error = timeoutFailure(attempt.claimed.timeoutSeconds);
    attempt.abort(error);
    settle(attempt, { ok: false, error });
  }

  /** No later result of this attempt counts: its slot frees, its timer stops, its ctx closes. */
  function retire(attempt: Attempt) {
    attempt.settled = true;
    attempt.close();
    running.delete(attempt.claimed.id);
  }

  function settle(attempt: Attempt, settlement: Settlement) {
    if (attempt.settled) {
      if (!options.stopping()) log.info({ taskId: attempt.claimed.id }, 'late result of a settled attempt discarded');
      return;
    }
    retire(attempt);
    attempt.trace?.ran(settlement.ok ? undefined : settlement.error);
    options.metrics?.ran(attempt.claimed.kind, (Date.now() - attempt.startedAt) / 1000);
    options.settled(attempt, outcomeOf(attempt.claimed, settlement, options.limits));
  }

  return {
    start,
    /** Aborts the attempt of a task already CANCELLED in the database; true when it was running here. */
    cancel(taskId: string): boolean {
      const attempt = running.get(taskId);
      if (!attempt || attempt.settled) return false;
      retire(attempt);
      attempt.abort(new TaskFailure('Cancelled', 'CANCELLED', false));
      attempt.trace?.end('cancelled');
      log.info({ taskId, kind: attempt.claimed.kind, attempt: attempt.claimed.attempts }, 'task cancelled while running');
      return true;
    },
    /** Aborts every attempt still running (at the end of a shutdown's grace) and returns their tasks. */
    abortAll(): ClaimedTask[] {
      deadlines.stop();
      const left = [...running.values()];
      for (const attempt of left) {
        retire(attempt);
        attempt.abort(new TaskFailure('The server is shutting down', 'SHUTDOWN'));
        attempt.trace?.end('shutdown');
      }
      return left.map((a) => a.claimed);
    },
    count: () => running.size,
  };
}

export type Runner = ReturnType<typeof createRunner>;
