// The embedded executor's claim loop. Every reason to claim (a notification of new work, a slot
// that frees, a task made pending for later becoming due, the poll) within one turn of the event
// loop becomes one claim statement, and only one is in flight at a time; a reason that comes while
// one is (a task committed too late for it to see) is kept, and another claim follows.
import type { Logger } from '../logger.js';
import type { ClaimedTask, Store } from '../store/index.js';
import { createDueTimes } from './due-times.js';

export interface ClaimerOptions {
  store: Store;
  workerId: string;
  kinds: () => string[];
  leaseSeconds: number;
  pollIntervalMs: number;
  log: Logger;
  /** How many tasks to claim now; none when 0 or less. */
  claimLimit: () => number;
  /** `full`: the claim took all it asked for (counting the candidates a limit held). */
  claimed: (tasks: ClaimedTask[], full: boolean) => void;
}

export function createClaimer(options: ClaimerOptions) {
  const { store, workerId, log } = options;
  let claiming = false;
  let again = false;
  let queued = false;
  let stopped = false;
  let pollTimer: NodeJS.Timeout | undefined;
  /** When tasks made pending for later become due, the earliest armed. */
  const dueTimes = createDueTimes();
  let dueTimer: NodeJS.Timeout | undefined;
  let armedFor = Infinity;

  function wake() {
    if (queued || stopped) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      void claim();
    });
  }

  async function claim() {
    if (claiming) {
      again = true;
      return;
    }
    const want = options.claimLimit();
    if (stopped || want <= 0) return;
    claiming = true;
    again = false;
    let tasks: ClaimedTask[] = [];
    let held = 0;
    try {
      const claimed = await store.claims.claim(workerId, options.kinds(), want, options.leaseSeconds);
      tasks = claimed;
      held = claimed.held;
    } catch (error) {
      log.error({ err: error }, 'claim failed');
    } finally {
      claiming = false;
    }
    // A full batch (counting the candidates a limit held) suggests more is waiting; a short one
    // means the queue is drained for now and the next claim waits for a notification or the poll.
    const full = tasks.length + held >= want;
    options.claimed(tasks, full);
    if (full || again) wake();
  }

  function arm() {
    clearTimeout(dueTimer);
    armedFor = stopped ? Infinity : dueTimes.earliest(-Infinity);
    if (armedFor === Infinity) return;
    const due = armedFor;
    dueTimer = setTimeout(() => {
      dueTimes.forget(due);
      wake();
      arm();
    }, armedFor - performance.now());
    dueTimer.unref();
  }

  function poll() {
    pollTimer = setTimeout(() => {
      wake();
      poll();
    }, options.pollIntervalMs * (0.9 + Math.random() * 0.2));
    pollTimer.unref();
  }

  return {
    /** Claims in this turn's claim (coalesced). */
    wake,
    /** Claims now: a notification of new work goes to the database first. */
    claim: () => void claim(),
    /**
     * Claims once a task becomes due in `ms` (a retry's backoff, a runAt), instead of at the next
     * poll after. `ms` is counted on the database's clock from a statement's now() and heard after
     * its commit, so the database's clock has passed the due time when the wake comes.
     */
    wakeIn(ms: number) {
      if (stopped) return;
      const at = dueTimes.add(ms);
      if (at !== undefined && at < armedFor) arm();
    },
    start() {
      poll();
      wake();
    },
    /** No claim in flight or due. */
    idle: () => !claiming && !queued,
    /** No claim after this; resolves once the one in flight has answered. */
    async stop() {
      stopped = true;
      clearTimeout(pollTimer);
      clearTimeout(dueTimer);
      while (claiming) await new Promise((resolve) => setTimeout(resolve, 5));
    },
  };
}
