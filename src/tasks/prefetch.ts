// How many tasks the executor claims ahead of its free slots. Claimed tasks are RUNNING in the
// database while they wait in this process, so claiming ahead trades other processes' chance at
// them for bigger, fewer claims. Adaptive (the default): ahead only while the queue is deep (the
// last claim came back full), and then only as much as this process starts in `horizonMs` at its
// recent rate, so what it holds starts soon and the rest stays in the queue for idle processes;
// nothing ahead while the queue is shallow, so a lone task is claimed into a free slot as before.
// A fixed number (EXECUTOR_PREFETCH) claims that many ahead always.

export interface Prefetch {
  /** Tasks to claim ahead of free slots in the next claim. */
  ahead(): number;
  /** A claim answered: whether it came back full (more is likely waiting). */
  claimed(full: boolean): void;
  /** An attempt of this process settled. */
  settled(): void;
}

export const fixedPrefetch = (n: number): Prefetch => ({ ahead: () => n, claimed: () => {}, settled: () => {} });

export interface AdaptiveOptions {
  /** The most claimed ahead, however fast tasks go: the tuned figure (bench/README.md). */
  max?: number;
  /** How much of this process's work, in ms at its recent rate, may wait here. */
  horizonMs?: number;
  now?: () => number;
}

/**
 * The most the adaptive default claims ahead. 1000, not the 500 it was: a claim and a batch of
 * outcomes each cost Postgres 1.2–1.4 ms whatever their size, and at 1000 the drain measured
 * +30 % over 500 (5 alternating triples, bench/README.md) and no gain further at 2000. The horizon,
 * not this cap, keeps slower tasks in the queue: at 1,000 tasks a second, 100 ms is 100 tasks.
 */
export const ADAPTIVE_MAX = 1000;

/** Claims over which the rate is read: (time, attempts settled so far) at each of the last few. */
const SAMPLES = 8;

export function adaptivePrefetch({ max = ADAPTIVE_MAX, horizonMs = 100, now = () => performance.now() }: AdaptiveOptions = {}): Prefetch {
  let deep = false;
  let settled = 0;
  const times: number[] = [];
  const counts: number[] = [];

  return {
    ahead() {
      if (!deep || times.length === 0) return 0;
      // Attempts settled per ms since the oldest sample. Read at claims only: the pace between
      // two turns of the event loop says little (an outcome batch being committed, say).
      const span = now() - times[0];
      const perMs = span > 0 ? (settled - counts[0]) / span : 0;
      return Math.min(max, Math.floor(perMs * horizonMs));
    },
    claimed(full) {
      deep = full;
      times.push(now());
      counts.push(settled);
      if (times.length > SAMPLES) {
        times.shift();
        counts.shift();
      }
    },
    settled() {
      settled++;
    },
  };
}
