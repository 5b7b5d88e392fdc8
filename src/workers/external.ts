// The protocol for workers outside the server, in any language, over plain GraphQL: register,
// claim (long-polling when nothing is ready), heartbeat, report, and complete or fail. The rules
// are the embedded executor's: the same claim statement, leases, retries with backoff, timeouts
// (swept by leases.ts) and cancellation (handed over at the next heartbeat). A worker may only
// touch a task it holds; every other call is refused with a code and changes nothing.
import { randomUUID } from 'node:crypto';
import { ClientError, invalidInput } from '../errors.js';
import type { Logger } from '../logger.js';
import { eventOf, TaskInWrongState, TaskNotFound, TERMINAL, type Store, type Task, type Worker } from '../store/index.js';
import type { EventPump } from '../tasks/events.js';
import { TaskFailure } from '../tasks/kind.js';
import { outcomeOf, resultProblem, type Settlement } from '../tasks/outcome.js';
import type { KindCatalog } from './catalog.js';
import { createLongPoll } from './long-poll.js';
import { claimArguments, failure, logLine, progressReport, registration } from './protocol-input.js';

export interface ExternalOptions {
  store: Store;
  pump: EventPump;
  kinds: KindCatalog;
  log: Logger;
  leaseSeconds: number;
  pollIntervalMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  maxPayloadBytes: number;
}

const noSuchWorker = (id: string) => new ClientError('WORKER_NOT_FOUND', `No external worker ${id}; register first`);

export function createExternalWorkers(options: ExternalOptions) {
  const { store } = options;
  const log = options.log.child({ component: 'external-workers' });
  const longPoll = createLongPoll(options.pump);

  async function existing(workerId: string): Promise<Worker> {
    const worker = await store.workers.getWorker(workerId);
    if (!worker || worker.kind !== 'external') throw noSuchWorker(workerId);
    return worker;
  }

  /** Why a change to task `id` by `workerId` was refused, as the error to throw. */
  async function refusal(id: string, workerId: string): Promise<Error> {
    await existing(workerId);
    const task = await store.tasks.getTask(id);
    if (!task) return new TaskNotFound(id);
    if (TERMINAL.has(task.status)) return new TaskInWrongState(id, task.status, 'report');
    return new ClientError('NOT_TASK_OWNER', `Task ${id} is not held by worker ${workerId} (its lease may have been lost)`);
  }

  async function settle(id: string, workerId: string, settlement: Settlement): Promise<Task> {
    // Only an external worker's id is accepted here: an embedded executor's id (listed by the
    // workers query) must not let a caller complete the tasks that executor runs.
    await existing(workerId);
    const task = await store.tasks.getTask(id);
    if (!task || task.status !== 'running' || task.workerId !== workerId) throw await refusal(id, workerId);
    const outcome = outcomeOf(task, settlement, options);
    const { applied } = await store.claims.finish(workerId, [outcome]);
    // Lost a race (cancelled, timed out or requeued between the read and the change).
    if (!applied.has(id)) throw await refusal(id, workerId);
    await store.workers.refreshCounts(workerId, 1, outcome.status === 'completed' ? 1 : 0);
    log.info({ taskId: id, workerId, kind: task.kind, attempt: outcome.attempt }, `task ${eventOf(outcome.status)}`);
    return (await store.tasks.getTask(id))!;
  }

  return {
    async register(input: { name: string; kinds: string[]; concurrency?: number | null }): Promise<Worker> {
      const { name, kinds, concurrency } = registration(input);
      const worker = await store.workers.register({
        id: randomUUID(), name, kind: 'external', host: null, pid: null, kinds, concurrency, leaseSeconds: options.leaseSeconds,
      });
      options.kinds.add(kinds);
      log.info({ workerId: worker.id, name, kinds }, 'external worker registered');
      return worker;
    },

    async heartbeat(workerId: string) {
      const beat = await store.workers.beatExternal(workerId);
      if (!beat) throw noSuchWorker(workerId);
      return { worker: beat.worker, cancelledTaskIds: beat.cancelled };
    },

    claim: (workerId: string, limit: number, waitSeconds: number, signal?: AbortSignal) =>
      claimFor({ store, longPoll, pollIntervalMs: options.pollIntervalMs }, workerId, limit, waitSeconds, signal),

    complete(id: string, workerId: string, result: unknown): Promise<Task> {
      const problem = result == null ? undefined : resultProblem(result, options.maxPayloadBytes);
      if (problem) throw invalidInput(problem.message);
      return settle(id, workerId, { ok: true, result: result ?? null });
    },

    fail(id: string, workerId: string, error: { message: string; code?: string | null; retryable?: boolean | null }): Promise<Task> {
      const { message, code, retryable } = failure(error);
      return settle(id, workerId, { ok: false, error: new TaskFailure(message, code, retryable) });
    },

    async progress(id: string, workerId: string, fraction: number, message: string | null): Promise<Task> {
      const text = progressReport(fraction, message);
      await existing(workerId);
      if (!(await store.claims.progress(workerId, id, null, fraction, text))) throw await refusal(id, workerId);
      return (await store.tasks.getTask(id))!;
    },

    async log(id: string, workerId: string, message: string, level: string): Promise<Task> {
      const text = logLine(message, level);
      await existing(workerId);
      if (!(await store.claims.appendLog({ workerId, id, attempt: null, level, message: text }))) throw await refusal(id, workerId);
      return (await store.tasks.getTask(id))!;
    },

    /** Hands back tasks it holds but will not run (at its shutdown): pending again, no attempt counted. */
    async release(workerId: string, ids: readonly string[]): Promise<string[]> {
      await existing(workerId);
      const held = [...(await store.tasks.getTasks(ids)).values()].filter((t) => t.status === 'running' && t.workerId === workerId);
      const attempts = held.map((t) => ({ id: t.id, attempt: t.attempts }));
      const released = await store.claims.release(workerId, attempts, 'shutdown');
      if (released.length > 0) await store.workers.refreshCounts(workerId);
      log.info({ workerId, released: released.length }, 'tasks handed back by an external worker');
      return released;
    },

    stop: longPoll.stop,
  };
}

export type ExternalWorkers = ReturnType<typeof createExternalWorkers>;

/**
 * Claims up to `limit` tasks of the worker's kinds, within its free slots. With waitSeconds,
 * waits that long for one to become ready, waking on new work, before answering with none.
 */
async function claimFor(
  parts: { store: Store; longPoll: ReturnType<typeof createLongPoll>; pollIntervalMs: number },
  workerId: string,
  limit: number,
  waitSeconds: number,
  signal?: AbortSignal,
): Promise<Task[]> {
  const { store, longPoll } = parts;
  claimArguments(limit, waitSeconds);
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    if (signal?.aborted) return [];
    const claimedAt = performance.now();
    // A claim is also a sign of life: it refreshes the running count and reads the commands.
    const worker = await store.workers.reactivateWithRunningCount(workerId);
    if (!worker) throw noSuchWorker(workerId);
    const free = worker.state === 'active' ? Math.min(limit, worker.concurrency - worker.running) : 0;
    if (free > 0) {
      const claimed = await store.claims.claim(workerId, worker.kinds, free, worker.leaseSeconds);
      // Every candidate held by a limit: those behind them may start, claim again at once (each
      // such claim moves that many tasks out of the claim index, so this ends).
      if (claimed.length === 0 && claimed.held > 0 && !signal?.aborted && !longPoll.stopped()) continue;
      if (claimed.length > 0 && signal?.aborted) {
        // The caller has gone while the claim ran: nobody would run these. Handed back, no attempt counted.
        await store.claims.release(workerId, claimed.map((t) => ({ id: t.id, attempt: t.attempts })), 'shutdown');
        await store.workers.refreshCounts(workerId);
        return [];
      }
      if (claimed.length > 0) {
        await store.workers.refreshCounts(workerId);
        const byId = await store.tasks.getTasks(claimed.map((t) => t.id));
        return claimed.map((t) => byId.get(t.id)!).filter(Boolean);
      }
    }
    const left = deadline - Date.now();
    if (left <= 0 || signal?.aborted || longPoll.stopped()) return [];
    // Tasks due later wake it through their due notice; the poll interval bounds the rest.
    await longPoll.waitForWork(Math.min(left, parts.pollIntervalMs), worker.kinds, claimedAt, signal);
  }
}
