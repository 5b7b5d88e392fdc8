// Sends an attempt's outcome over GraphQL: completeTask with the result, or failTask with the code
// and retryable the embedded executor would record (src/tasks/outcome.ts). While the server is
// away, it is sent again after a backoff, until the task's lease is surely gone: past it, the task
// is requeued and the server would refuse it anyway.
import { backoffMs } from '../backoff.js';
import type { Logger } from '../logger.js';
import { TaskFailure } from '../tasks/kind.js';
import { errorOf, resultProblem, type Settlement } from '../tasks/outcome.js';
import type { RemoteAttempt } from './attempt.js';
import { isTransient, refusalCode } from './graphql-client.js';
import type { Failure, Protocol } from './protocol.js';
import { pause } from './waits.js';

/**
 * A task's status after an outcome, as an attempt span's task.outcome says it: PENDING again is a
 * retry (store/claims/finish.ts eventOf, which this process may not import: the store loads the
 * database drivers).
 */
const attemptOutcome = (status: string) => (status === 'PENDING' ? 'retrying' : status.toLowerCase());

export function createOutcomeReport(options: { protocol: Protocol; log: Logger; leaseSeconds: () => number }) {
  const { protocol, log } = options;

  async function deliver(attempt: RemoteAttempt, what: string, send: () => Promise<string>): Promise<string> {
    const deadline = Date.now() + options.leaseSeconds() * 1000;
    for (let n = 1; ; n++) {
      try {
        return await send();
      } catch (error) {
        if (!isTransient(error) || Date.now() >= deadline) throw error;
        const waitMs = Math.min(backoffMs(n, 200, 5000), Math.max(0, deadline - Date.now()));
        log.warn({ taskId: attempt.claimed.id, err: (error as Error).message, retryInMs: waitMs }, `could not send the ${what}; trying again`);
        await pause(waitMs);
      }
    }
  }

  /** The task's status once recorded. */
  async function complete(attempt: RemoteAttempt, result: unknown, fail: (failure: Failure) => Promise<string>): Promise<string> {
    const { id } = attempt.claimed;
    // The server checks the size (it knows its limit); what cannot be stored as JSON at all fails here.
    const problem = result == null ? undefined : resultProblem(result, Infinity);
    if (problem) return fail({ ...problem, retryable: false });
    let status: string;
    try {
      status = await deliver(attempt, 'result', () => protocol.complete(id, attempt.workerId, result ?? null));
    } catch (error) {
      // The one refusal of the request itself that completeTask can give: a result over the payload limit.
      if (refusalCode(error) !== 'INVALID_INPUT') throw error;
      return fail({ message: (error as Error).message, code: 'RESULT_TOO_LARGE', retryable: false });
    }
    log.info({ taskId: id, kind: attempt.claimed.kind, attempt: attempt.claimed.attempts }, 'task completed');
    return status;
  }

  /** Sends the outcome; resolves with what it came to, as an attempt span's task.outcome says it. */
  return async function report(attempt: RemoteAttempt, settlement: Settlement): Promise<string> {
    const { id, kind, attempts } = attempt.claimed;
    // Log lines and progress first: subscribers see them before the outcome, as with the embedded executor.
    await attempt.drained();
    const fail = (failure: Failure) => deliver(attempt, 'failure', () => protocol.fail(id, attempt.workerId, failure));
    try {
      if (settlement.ok) return attemptOutcome(await complete(attempt, settlement.result, fail));
      const { message, code } = errorOf(settlement.error);
      const retryable = !(settlement.error instanceof TaskFailure) || settlement.error.retryable;
      // failTask refuses an empty message; an Error thrown without one still fails the attempt.
      const status = await fail({ message: message.trim() ? message : 'Error', code, retryable });
      log.info({ taskId: id, kind, attempt: attempts, code, retryable }, 'task failed');
      return attemptOutcome(status);
    } catch (error) {
      // Cancelled, timed out or requeued meanwhile: the server kept its own outcome, as it should.
      log.warn({ taskId: id, kind, attempt: attempts, code: refusalCode(error), err: (error as Error).message }, 'outcome not recorded');
      return 'discarded';
    }
  };
}
