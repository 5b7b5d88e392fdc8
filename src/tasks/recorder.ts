// Records attempts' outcomes in batches: everything that settled while the previous statement was
// in flight goes in the next one, so a busy executor commits once per batch rather than per task.
// A result is never acknowledged (counted, logged) before its statement committed.
import { backoffMs, sleepMs } from '../backoff.js';
import type { Logger } from '../logger.js';
import type { CountedEvent, TaskMetrics } from '../metrics.js';
import { eventOf, type ClaimedTask, type ClaimStore, type Outcome, type TakeReady } from '../store/index.js';
import type { Attempt } from './attempt.js';
import { rejectedData, storeRefused } from './outcome.js';

const RECORD_BATCH = 1000;
const COUNTED: Record<string, CountedEvent> = { completed: 'completed', retrying: 'retried', failed: 'failed', timed_out: 'timed_out' };

export interface Recorded {
  attempt: Attempt;
  outcome: Outcome;
}

export function createRecorder(options: {
  claims: ClaimStore;
  workerId: string;
  log: Logger;
  logTransitions: boolean;
  metrics?: TaskMetrics;
  /** After each committed batch; outcomes not in `applied` had lost their claim and are void. */
  onRecorded(batch: Recorded[], applied: Set<string>): void;
  /**
   * For a batch that ends tasks with dependents: free slots held for the dependents it makes
   * ready, to be started by the same statement; `taken` hands them over (or the slots back).
   */
  reserveForReady?(): { take: TakeReady; slots: number } | undefined;
  taken?(started: ClaimedTask[], slots: number): void;
}) {
  const { claims, workerId, log } = options;
  const outcomes: Recorded[] = [];
  /** Attempts finished by this executor, as its worker row reports them. */
  const counts = { processed: 0, succeeded: 0, failed: 0 };
  let batchLimit = RECORD_BATCH;
  /** Statements in a row that failed for want of the database. */
  let failures = 0;
  let flushing: Promise<void> | undefined;

  /** One statement for every outcome that piled up meanwhile, retried until it commits. */
  function flush(): Promise<void> {
    if (flushing) return flushing;
    flushing = (async () => {
      while (outcomes.length > 0) {
        const batch = outcomes.splice(0, batchLimit);
        let applied: Set<string>;
        const ends = batch.some((b) => b.attempt.claimed.hasDependents && b.outcome.status !== 'pending');
        const reservation = ends ? options.reserveForReady?.() : undefined;
        try {
          const finished = await claims.finish(workerId, batch.map((b) => b.outcome), reservation?.take);
          applied = finished.applied;
          if (reservation) options.taken?.(finished.started, reservation.slots);
          batchLimit = RECORD_BATCH;
          failures = 0;
        } catch (error) {
          if (reservation) options.taken?.([], reservation.slots);
          outcomes.unshift(...batch);
          if (!rejectedData(error)) {
            // The database is away: the statement did nothing; try the same batch again.
            log.error({ err: error }, 'recording outcomes failed; retrying');
            await sleepMs(backoffMs(++failures, 1000, 5000));
          } else if (batch.length > 1) {
            // One outcome the database refuses fails the whole statement, atomically. Halve the
            // batch until it stands alone, so the others are recorded and it alone is dealt with.
            batchLimit = Math.ceil(batch.length / 2);
          } else {
            log.error({ err: error, taskId: batch[0].outcome.id }, 'the database refused this outcome; failing the task');
            batch[0].outcome = storeRefused(batch[0].outcome, error);
          }
          continue;
        }
        for (const { attempt, outcome } of batch) {
          const ok = applied.has(outcome.id);
          if (ok) {
            options.metrics?.count(COUNTED[eventOf(outcome.status)], attempt.claimed.kind);
            counts.processed++;
            if (outcome.status === 'completed') counts.succeeded++;
            else counts.failed++;
          }
          if (ok && !options.logTransitions) continue;
          const fields = { taskId: outcome.id, kind: attempt.claimed.kind, attempt: outcome.attempt, durationMs: Date.now() - attempt.startedAt };
          if (ok) log.info({ ...fields, error: outcome.error }, `task ${eventOf(outcome.status)}`);
          else log.warn(fields, 'outcome discarded: the task was cancelled, timed out or reclaimed meanwhile');
        }
        options.onRecorded(batch, applied);
      }
    })().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  return {
    counts,
    record(attempt: Attempt, outcome: Outcome) {
      outcomes.push({ attempt, outcome });
      void flush();
    },
  };
}
