// Runs claimed tasks in this process and reports each attempt's one settlement over GraphQL: a
// result, an error, a timeout (this worker's timer; the server times the task out too), or a
// cancel, loss or shutdown that aborts the handler. The rules are the embedded executor's
// (src/tasks/runner.ts): a kind's schemas are checked around its run by the same checkedRun, errors
// become the same codes, and a late result of a settled attempt is discarded.
import { checkedRun } from '../kinds/checked-run.js';
import type { Logger } from '../logger.js';
import { TaskFailure, type TaskHandler, type TaskKind } from '../tasks/kind.js';
import { errorOf, timeoutFailure, type Settlement } from '../tasks/outcome.js';
import { RemoteAttempt } from './attempt.js';
import { createOutcomeReport } from './outcome-report.js';
import type { ClaimedTask, Protocol } from './protocol.js';
import { createNotifier } from './waits.js';

/** setTimeout's longest delay; a longer task timeout is left to the server's sweep. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RemoteRunnerOptions {
  protocol: Protocol;
  handlers: ReadonlyMap<string, TaskHandler>;
  log: Logger;
  /** How long an outcome is worth resending while the server is away: past the lease it is requeued anyway. */
  leaseSeconds: () => number;
  stopping: () => boolean;
}

export function createRemoteRunner(options: RemoteRunnerOptions) {
  const { protocol, log } = options;
  const running = new Map<string, RemoteAttempt>();
  const reports = new Set<Promise<void>>();
  const changed = createNotifier();
  const reportOutcome = createOutcomeReport(options);

  function start(task: ClaimedTask, workerId: string) {
    const attempt = new RemoteAttempt(task, workerId, { protocol, log, lost });
    running.set(task.id, attempt);
    attempt.timer = setTimeout(timeOut, Math.min(task.timeoutSeconds * 1000, MAX_TIMER_MS), attempt);
    log.info({ taskId: task.id, kind: task.kind, attempt: task.attempts }, 'task started');
    void settlementOf(options.handlers.get(task.kind), attempt).then((settlement) => settle(attempt, settlement));
  }

  function timeOut(attempt: RemoteAttempt) {
    const error = timeoutFailure(attempt.claimed.timeoutSeconds);
    attempt.abort(error);
    settle(attempt, { ok: false, error });
  }

  /** No later result of this attempt counts; its slot is free. */
  function retire(attempt: RemoteAttempt) {
    attempt.settled = true;
    clearTimeout(attempt.timer);
    running.delete(attempt.claimed.id);
    changed.notify();
  }

  function settle(attempt: RemoteAttempt, settlement: Settlement) {
    if (attempt.settled) {
      if (!options.stopping()) log.info({ taskId: attempt.claimed.id }, 'late result of a settled attempt discarded');
      return;
    }
    retire(attempt);
    attempt.trace?.ran(settlement.ok ? undefined : settlement.error);
    const error = settlement.ok ? undefined : errorOf(settlement.error);
    track(reportOutcome(attempt, settlement).then((outcome) => attempt.trace?.end(outcome, error)));
  }

  /** An answer still to come from the server, which a stop waits for. */
  function track(sent: Promise<unknown>) {
    const report: Promise<void> = sent.then(() => {}).finally(() => reports.delete(report));
    reports.add(report);
  }

  function lost(attempt: RemoteAttempt, code: string) {
    if (attempt.settled) return;
    retire(attempt);
    attempt.abort(new TaskFailure(`Cancelled: the task is no longer held by this worker (${code})`, 'CANCELLED', false));
    attempt.trace?.end('discarded');
    log.info({ taskId: attempt.claimed.id, code }, 'task no longer held here; aborted');
  }

  return {
    start,
    count: () => running.size,
    /** A slot freed: resolves at the next change, after ms, or when the signal fires. */
    changed: changed.next,
    /** Aborts the attempt of a task that was cancelled on the server; true when it was running here. */
    cancel(taskId: string): boolean {
      const attempt = running.get(taskId);
      if (!attempt) return false;
      retire(attempt);
      attempt.abort(new TaskFailure('Cancelled', 'CANCELLED', false));
      attempt.trace?.end('cancelled');
      log.info({ taskId, kind: attempt.claimed.kind, attempt: attempt.claimed.attempts }, 'task cancelled while running');
      return true;
    },
    /** Aborts every attempt claimed under a worker id the server forgot: nothing of theirs would be accepted. */
    dropAll(workerId: string) {
      for (const attempt of running.values()) if (attempt.workerId === workerId) lost(attempt, 'WORKER_NOT_FOUND');
    },
    /** At the end of a stop's grace: aborts the rest and hands them back, pending at once for any worker. */
    abortAll(): string[] {
      const left = [...running.values()];
      for (const attempt of left) {
        retire(attempt);
        attempt.abort(new TaskFailure('The worker is shutting down', 'SHUTDOWN'));
        attempt.trace?.end('shutdown');
      }
      track(handBack(protocol, log, left));
      return left.map((a) => a.claimed.id);
    },
    /** True once nothing runs, false when ms passed first. */
    async idle(ms: number): Promise<boolean> {
      const deadline = Date.now() + ms;
      while (running.size > 0 && Date.now() < deadline) await changed.next(deadline - Date.now());
      return running.size === 0;
    },
    /** Resolves when every outcome sent so far has been answered (or given up on). */
    async reported(): Promise<void> {
      while (reports.size > 0) await Promise.allSettled([...reports]);
    },
  };
}

export type RemoteRunner = ReturnType<typeof createRemoteRunner>;

/** What the handler came to: its result, or what it threw. */
async function settlementOf(handler: TaskHandler | undefined, attempt: RemoteAttempt): Promise<Settlement> {
  const { kind, input } = attempt.claimed;
  try {
    if (!handler) throw new TaskFailure(`No handler for kind ${kind}`, 'UNKNOWN_TASK_KIND', false);
    const trace = attempt.trace;
    return { ok: true, result: await (trace ? trace.run(() => handler(input, attempt)) : handler(input, attempt)) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Hands the attempts back (releaseTasks); each under the worker id it was claimed with, as one may have been forgotten. */
function handBack(protocol: Protocol, log: Logger, attempts: readonly RemoteAttempt[]): Promise<unknown> {
  const byWorker = new Set(attempts.map((a) => a.workerId));
  return Promise.all(
    [...byWorker].map((workerId) => {
      const ids = attempts.filter((a) => a.workerId === workerId).map((a) => a.claimed.id);
      return protocol.release(workerId, ids).then(
        (released) => log.info({ released }, 'tasks handed back to the queue'),
        (error) => log.warn({ err: (error as Error).message, taskIds: ids }, 'could not hand tasks back; their leases will lapse'),
      );
    }),
  );
}
