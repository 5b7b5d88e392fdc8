// The protocol for workers outside the server, in any language, over plain GraphQL: register,
// claim (long-polling when nothing is ready), heartbeat, report, and complete or fail. The rules
// are the embedded executor's: the same claim statement, leases, retries with backoff, timeouts
// (swept by leases.ts) and cancellation (handed over at the next heartbeat). A worker may only
// touch a task it holds; every other call is refused with a code and changes nothing.
import { randomUUID } from 'node:crypto';
import { ClientError, invalidInput } from '../errors.js';
import type { Logger } from '../logger.js';
import { TERMINAL, type Store, type Task } from '../store/index.js';
import { eventOf } from '../store/claims.js';
import type { Worker } from '../store/workers.js';
import type { EventPump } from '../tasks/events.js';
import { createDueTimes } from '../tasks/due-times.js';
import { TaskFailure } from '../tasks/kind.js';
import { outcomeOf, resultProblem, type Settlement } from '../tasks/outcome.js';
import type { KindCatalog } from './catalog.js';

export const MAX_WAIT_SECONDS = 60;
const MAX_CLAIM = 1000;
const MAX_CONCURRENCY = 10_000;
const MAX_MESSAGE = 16_384;
const KIND_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,99}$/;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

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

const clean = (text: string) => text.replaceAll('\u0000', '');

export function createExternalWorkers(options: ExternalOptions) {
  const { store, pump } = options;
  const log = options.log.child({ component: 'external-workers' });
  /** Ends every long poll at shutdown, so the server is not held open by waiting clients. */
  const shutdown = new AbortController();
  /**
   * When tasks made pending for later become due, by kind, from due notices. Kept beyond the nap
   * that hears one: the notice comes with the creation's wake-up, which ends the nap, and the
   * claim that follows is too early for the task.
   */
  const dueTimes = createDueTimes();
  /** Each nap under way, told of every due time added. */
  const naps = new Set<(at: number, kind: string) => void>();
  const stopDue = pump.onDue((inMs, kind) => {
    // Those due before any long poll now waiting last claimed no nap can need.
    dueTimes.forget(performance.now() - 2 * MAX_WAIT_SECONDS * 1000);
    const at = dueTimes.add(inMs, kind);
    if (at !== undefined) for (const heard of naps) heard(at, kind);
  });

  async function existing(workerId: string): Promise<Worker> {
    const worker = await store.workers.get(workerId);
    if (!worker || worker.kind !== 'external') throw new ClientError('WORKER_NOT_FOUND', `No external worker ${workerId}; register first`);
    return worker;
  }

  /** Why a change to task `id` by `workerId` was refused, as the error to throw. */
  async function refusal(id: string, workerId: string): Promise<ClientError> {
    await existing(workerId);
    const task = await store.tasks.getTask(id);
    if (!task) return new ClientError('TASK_NOT_FOUND', `Task ${id} does not exist`);
    if (TERMINAL.has(task.status)) return new ClientError('TASK_FINISHED', `Task ${id} is already ${task.status.toUpperCase()}`);
    return new ClientError('NOT_TASK_OWNER', `Task ${id} is not held by worker ${workerId} (its lease may have been lost)`);
  }

  async function settle(id: string, workerId: string, settlement: Settlement): Promise<Task> {
    // Only an external worker's id is accepted here: an embedded executor's id (listed by the
    // workers query) must not let a caller complete the tasks that executor runs.
    await existing(workerId);
    const task = await store.tasks.getTask(id);
    if (!task || task.status !== 'running' || task.workerId !== workerId) throw await refusal(id, workerId);
    const outcome = outcomeOf({ ...task, runAtMs: task.runAt.getTime() }, settlement, options);
    const applied = await store.claims.finish(workerId, [outcome]);
    // Lost a race (cancelled, timed out or requeued between the read and the change).
    if (!applied.has(id)) throw await refusal(id, workerId);
    await store.workers.counted(workerId, 1, outcome.status === 'completed' ? 1 : 0);
    log.info({ taskId: id, workerId, kind: task.kind, attempt: outcome.attempt }, `task ${eventOf(outcome.status)}`);
    return (await store.tasks.getTask(id))!;
  }

  /**
   * Resolves after ms, on new work, when a task of `kinds` becomes due that the claim made at
   * `claimedAt` (performance.now()) was too early for, or on abort, whichever is first.
   */
  function nap(ms: number, kinds: string[], claimedAt: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const serves = new Set(kinds);
      let wakeAt = performance.now() + ms;
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        naps.delete(heard);
        stopWake();
        signal?.removeEventListener('abort', done);
        shutdown.signal.removeEventListener('abort', done);
        resolve();
      };
      const wakeBy = (at: number) => {
        if (at >= wakeAt) return;
        wakeAt = at;
        clearTimeout(timer);
        timer = setTimeout(done, Math.max(0, at - performance.now()));
      };
      const heard = (at: number, kind: string) => {
        if (at > claimedAt && serves.has(kind)) wakeBy(at);
      };
      const stopWake = pump.onWake(done);
      signal?.addEventListener('abort', done);
      shutdown.signal.addEventListener('abort', done);
      timer = setTimeout(done, ms);
      naps.add(heard);
      wakeBy(dueTimes.earliest(claimedAt, (kind) => serves.has(kind)));
    });
  }

  return {
    async register(input: { name: string; kinds: string[]; concurrency?: number | null }): Promise<Worker> {
      const name = clean(input.name).trim();
      if (name.length === 0 || name.length > 200) throw invalidInput('name must be 1 to 200 characters');
      const kinds = [...new Set(input.kinds)];
      if (kinds.length === 0 || kinds.length > 100) throw invalidInput('kinds must list 1 to 100 task kinds');
      const bad = kinds.find((kind) => !KIND_NAME.test(kind));
      if (bad !== undefined) throw invalidInput(`${JSON.stringify(bad)} is not a valid kind name (letters, digits and _ . : - /, up to 100)`);
      const concurrency = input.concurrency ?? 1;
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
        throw invalidInput(`concurrency must be an integer from 1 to ${MAX_CONCURRENCY}`);
      }
      const worker = await store.workers.register({
        id: randomUUID(), name, kind: 'external', host: null, pid: null, kinds, concurrency, leaseSeconds: options.leaseSeconds,
      });
      options.kinds.add(kinds);
      log.info({ workerId: worker.id, name, kinds }, 'external worker registered');
      return worker;
    },

    async heartbeat(workerId: string) {
      const beat = await store.workers.beatExternal(workerId);
      if (!beat) throw new ClientError('WORKER_NOT_FOUND', `No external worker ${workerId}; register first`);
      return { worker: beat.worker, cancelledTaskIds: beat.cancelled };
    },

    /**
     * Claims up to `limit` tasks of the worker's kinds, within its free slots. With waitSeconds,
     * waits that long for one to become ready, waking on new work, before answering with none.
     */
    async claim(workerId: string, limit: number, waitSeconds: number, signal?: AbortSignal): Promise<Task[]> {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CLAIM) throw invalidInput(`limit must be an integer from 1 to ${MAX_CLAIM}`);
      if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
        throw invalidInput(`waitSeconds must be an integer from 0 to ${MAX_WAIT_SECONDS}`);
      }
      const deadline = Date.now() + waitSeconds * 1000;
      for (;;) {
        const claimedAt = performance.now();
        // Refreshes the running count (a claim is also a sign of life) and reads the commands.
        const worker = await store.workers.withRunning(workerId);
        if (!worker) throw new ClientError('WORKER_NOT_FOUND', `No external worker ${workerId}; register first`);
        const free = worker.state === 'active' ? Math.min(limit, worker.concurrency - worker.running) : 0;
        if (free > 0) {
          const claimed = await store.claims.claim(workerId, worker.kinds, free, worker.leaseSeconds);
          if (claimed.length > 0) {
            await store.workers.counted(workerId, 0, 0);
            const byId = await store.tasks.getTasks(claimed.map((t) => t.id));
            return claimed.map((t) => byId.get(t.id)!).filter(Boolean);
          }
        }
        const left = deadline - Date.now();
        if (left <= 0 || signal?.aborted || shutdown.signal.aborted) return [];
        // Tasks due later wake it through their due notice; the poll interval bounds the rest.
        await nap(Math.min(left, options.pollIntervalMs), worker.kinds, claimedAt, signal);
      }
    },

    complete(id: string, workerId: string, result: unknown): Promise<Task> {
      const problem = result == null ? undefined : resultProblem(result, options.maxPayloadBytes);
      if (problem) throw invalidInput(problem.message);
      return settle(id, workerId, { ok: true, result: result ?? null });
    },

    fail(id: string, workerId: string, error: { message: string; code?: string | null; retryable?: boolean | null }): Promise<Task> {
      const message = clean(error.message).slice(0, MAX_MESSAGE);
      if (message.trim().length === 0) throw invalidInput('error must not be empty');
      const code = error.code ? clean(error.code).slice(0, 100) : 'HANDLER_ERROR';
      return settle(id, workerId, { ok: false, error: new TaskFailure(message, code, error.retryable ?? true) });
    },

    async progress(id: string, workerId: string, fraction: number, message: string | null): Promise<Task> {
      if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1) throw invalidInput('progress must be from 0 to 1');
      const text = message === null ? null : clean(message).slice(0, MAX_MESSAGE);
      await existing(workerId);
      if (!(await store.claims.progress(workerId, id, null, fraction, text))) throw await refusal(id, workerId);
      return (await store.tasks.getTask(id))!;
    },

    async log(id: string, workerId: string, message: string, level: string): Promise<Task> {
      if (!LOG_LEVELS.includes(level)) throw invalidInput(`level must be one of ${LOG_LEVELS.join(', ')}`);
      const text = clean(message).slice(0, MAX_MESSAGE);
      if (text.length === 0) throw invalidInput('message must not be empty');
      await existing(workerId);
      if (!(await store.claims.log(workerId, id, null, level, text))) throw await refusal(id, workerId);
      return (await store.tasks.getTask(id))!;
    },

    stop() {
      stopDue();
      shutdown.abort();
    },
  };
}

export type ExternalWorkers = ReturnType<typeof createExternalWorkers>;
