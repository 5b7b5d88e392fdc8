// A worker in its own process that runs an app's task kinds by speaking the external-worker
// protocol over GraphQL: no database connection, so it can run wherever the server is reachable.
// It registers, claims within its free slots (long-polling while nothing is ready), runs each task
// with the TaskContext the embedded executor gives, heartbeats, and reports. The server away: it
// tries again with backoff. The server forgot it (WORKER_NOT_FOUND): it registers again. Stop: no
// more claims, running tasks get a grace period, the rest are aborted and handed back to the queue.
import { hostname } from 'node:os';
import { backoffMs } from '../backoff.js';
import { MAX_CONCURRENCY } from '../limits.js';
import { createLogger, type Logger } from '../logger.js';
import { createGraphQLClient, isTransient, refusalCode } from './graphql-client.js';
import { keepBeating } from './heartbeat.js';
import { createProtocol, type Protocol, type Registration } from './protocol.js';
import { checkedRun } from '../kinds/checked-run.js';
import { kindsByName, type KindsGiven } from '../kinds/load-module.js';
import { createRemoteRunner, type RemoteRunner } from './runner.js';
import { pause } from './waits.js';

export interface RemoteWorkerOptions {
  /** The server's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** An API key with the worker scope, when the server has keys. */
  apiKey?: string;
  /** The kinds it runs: an array of kinds named by defineKind, or an object of kinds (as loadKindsModule gives them). */
  kinds: KindsGiven;
  /** Shown in the workers list; default node@<host>:<pid>. */
  name?: string;
  /** Tasks at once; default 1. setWorkerConcurrency changes it from then on. */
  concurrency?: number;
  /** How long stop() lets running tasks finish before it aborts them; default 30. */
  graceSeconds?: number;
  /** How long one claim waits for work on the server (1 to 60); default 20. */
  waitSeconds?: number;
  log?: Logger;
  /** Fired before the first registration succeeded, runRemoteWorker gives up with its reason; after, the worker stops as stop() does. */
  signal?: AbortSignal;
}

export interface RemoteWorker {
  /** Its id on the server; a new one after the server forgot it and it registered again. */
  readonly workerId: string;
  /** Stops claiming, lets running tasks finish within the grace period, aborts the rest and hands them back. */
  stop(): Promise<void>;
}

const RECONNECT_BASE_MS = 500;
const RECONNECT_MAX_MS = 15_000;
/**
 * How long a stop lets the claim under way answer before ending it. Ended while the server takes
 * tasks for it, the claim's tasks would be stranded, held by this worker without its knowing,
 * until their leases lapse; a claim that takes tasks answers well within this. One still waiting
 * past it has found nothing ready, and is ended.
 */
const CLAIM_SETTLE_MS = 2000;

/** Registers, trying again with backoff while the server is away; a refusal (a bad key, say) is thrown. */
async function registerUntilAccepted(
  protocol: Protocol,
  input: { name: string; kinds: string[]; concurrency: number },
  log: Logger,
  signal: AbortSignal,
): Promise<Registration> {
  for (let n = 1; ; n++) {
    try {
      const registration = await protocol.register(input, signal);
      log.info({ workerId: registration.id, name: input.name, kinds: input.kinds, concurrency: registration.concurrency }, 'worker registered');
      return registration;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (!isTransient(error)) throw error;
      const retryInMs = backoffMs(n, RECONNECT_BASE_MS, RECONNECT_MAX_MS);
      log.warn({ err: (error as Error).message, retryInMs }, 'server not reachable; trying again');
      await pause(retryInMs, signal);
    }
  }
}

function checked(options: RemoteWorkerOptions) {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new RangeError(`concurrency must be an integer from 1 to ${MAX_CONCURRENCY}`);
  }
  const graceSeconds = options.graceSeconds ?? 30;
  if (!(graceSeconds >= 0)) throw new RangeError('graceSeconds must be 0 or more');
  const waitSeconds = options.waitSeconds ?? 20;
  if (!Number.isInteger(waitSeconds) || waitSeconds < 1 || waitSeconds > 60) throw new RangeError('waitSeconds must be an integer from 1 to 60');
  try {
    new URL(options.url);
  } catch {
    throw new TypeError(`url must be the server's GraphQL endpoint, like http://localhost:4000/graphql; got ${JSON.stringify(options.url)}`);
  }
  const given = Array.isArray(options.kinds) ? options.kinds : Object.values(options.kinds ?? {});
  if (given.some((kind) => typeof kind?.run !== 'function')) throw new TypeError('every kind needs a run function');
  const byName = kindsByName(options.kinds);
  if (Object.keys(byName).length === 0) throw new TypeError('kinds must hold at least one task kind');
  return { concurrency, graceSeconds, waitSeconds, byName, kinds: Object.keys(byName).sort() };
}

export async function runRemoteWorker(options: RemoteWorkerOptions): Promise<RemoteWorker> {
  const { concurrency, graceSeconds, waitSeconds, byName, kinds } = checked(options);
  const log = (options.log ?? createLogger(process.env.LOG_LEVEL ?? 'info')).child({ component: 'remote-worker' });
  const protocol = createProtocol(createGraphQLClient({ url: options.url, apiKey: options.apiKey }));
  const handlers = new Map(Object.entries(byName).map(([name, kind]) => [name, checkedRun(kind)]));
  const registration = { name: options.name ?? `node@${hostname()}:${process.pid}`, kinds, concurrency };
  // Stops the claim loop and ends every backoff at once; the claim under way has its own (see stop).
  const stopping = new AbortController();
  const claimAbort = new AbortController();
  const first = options.signal ? AbortSignal.any([options.signal, stopping.signal]) : stopping.signal;
  let registered = await registerUntilAccepted(protocol, registration, log, first);
  let capacity = registered.concurrency;

  const runner = createRemoteRunner({ protocol, handlers, log, leaseSeconds: () => registered.leaseSeconds, stopping: () => stopping.signal.aborted });
  let reregistering: Promise<void> | undefined;
  function reregister(forgottenId: string): Promise<void> {
    if (registered.id !== forgottenId) return Promise.resolve();
    return (reregistering ??= (async () => {
      log.warn({ workerId: forgottenId }, 'the server no longer knows this worker; registering again');
      runner.dropAll(forgottenId);
      try {
        registered = await registerUntilAccepted(protocol, registration, log, stopping.signal);
        capacity = registered.concurrency;
      } catch (error) {
        if (!stopping.signal.aborted) log.error({ err: (error as Error).message }, 'registering again was refused');
      } finally {
        reregistering = undefined;
      }
    })());
  }

  const stopBeating = keepBeating({
    protocol,
    log,
    registered: () => registered,
    followBeat({ cancelledTaskIds, worker }) {
      for (const id of cancelledTaskIds) runner.cancel(id);
      capacity = worker.concurrency;
    },
    forgotten: (id) => void reregister(id),
  });
  const claiming = claimLoop({
    protocol,
    runner,
    log,
    waitSeconds,
    reregister,
    stopping: stopping.signal,
    claimAbort: claimAbort.signal,
    registered: () => registered,
    capacity: () => capacity,
  });

  let stopped: Promise<void> | undefined;
  async function stop() {
    const graceEnds = Date.now() + graceSeconds * 1000;
    const reason = new Error('The worker is stopping');
    stopping.abort(reason);
    const settle = setTimeout(() => claimAbort.abort(reason), CLAIM_SETTLE_MS);
    await claiming;
    clearTimeout(settle);
    log.info({ running: runner.count(), graceSeconds }, 'stopping: no more claims; letting running tasks finish');
    if (!(await runner.idle(Math.max(0, graceEnds - Date.now())))) {
      log.warn({ taskIds: runner.abortAll() }, 'grace period over: running tasks aborted and handed back');
    }
    await runner.reported();
    await stopBeating();
    log.info({ workerId: registered.id }, 'worker stopped');
  }
  options.signal?.addEventListener('abort', () => void (stopped ??= stop()), { once: true });
  return {
    get workerId() {
      return registered.id;
    },
    stop: () => (stopped ??= stop()),
  };
}

/** Claims within the free slots until stopped; a claim waits on the server up to waitSeconds. */
async function claimLoop(parts: {
  protocol: Protocol;
  runner: RemoteRunner;
  log: Logger;
  waitSeconds: number;
  /** No claim after the one under way. */
  stopping: AbortSignal;
  /** Ends the claim under way. */
  claimAbort: AbortSignal;
  registered: () => Registration;
  capacity: () => number;
  reregister(forgottenId: string): Promise<void>;
}) {
  const { runner, stopping, log } = parts;
  let failures = 0;
  while (!stopping.aborted) {
    const free = Math.min(1000, parts.capacity() - runner.count());
    // Full, or scaled to 0: a slot freed or a heartbeat carrying a new concurrency ends the wait.
    if (free <= 0) {
      await runner.changed(1000, stopping);
      continue;
    }
    const { id } = parts.registered();
    try {
      const tasks = await parts.protocol.claim(id, free, parts.waitSeconds, parts.claimAbort);
      failures = 0;
      // Started even when a stop came meanwhile: they are this worker's now, and get its grace.
      for (const task of tasks) runner.start(task, id);
    } catch (error) {
      if (stopping.aborted) break;
      if (refusalCode(error) === 'WORKER_NOT_FOUND') {
        await parts.reregister(id);
        // Registered again: claim at once. Refused: wait like any failed claim, not spin.
        if (parts.registered().id !== id) continue;
      }
      const retryInMs = backoffMs(++failures, RECONNECT_BASE_MS, RECONNECT_MAX_MS);
      const fields = { err: (error as Error).message, code: refusalCode(error), retryInMs };
      if (isTransient(error)) log.warn(fields, 'claim failed: server not reachable; trying again');
      else log.error(fields, 'claim refused; trying again');
      await pause(retryInMs, stopping);
    }
  }
}
