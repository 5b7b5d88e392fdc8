// When tasks made pending for later (a runAt, a retry's backoff) become due, kept for the loops
// that claim them: the embedded executor's claim loop (claimer.ts) and external workers' long polls
// (workers/external.ts). Times are on the monotonic clock (a wall clock stepped forward would wake
// too early and lose the wake), a millisecond late: a timer may fire up to one early by it.

/** Due times kept at most, and how far ahead; the poll finds the others, a poll interval late. */
const MAX_DUE_TIMES = 1000;
const MAX_DUE_IN_MS = 3_600_000;

export function createDueTimes() {
  let entries: Array<{ at: number; kind: string }> = [];
  return {
    /** Keeps a due time `inMs` from now; its time, or undefined when not kept (a repeat, too far). */
    add(inMs: number, kind = ''): number | undefined {
      if (!(inMs > 0 && inMs <= MAX_DUE_IN_MS)) return undefined;
      const at = Math.ceil(performance.now() + inMs) + 1;
      if (entries.some((d) => d.at === at && d.kind === kind)) return undefined;
      if (entries.length >= MAX_DUE_TIMES) {
        // Full: the latest gives way to an earlier one.
        const latest = entries.reduce((a, b) => (b.at > a.at ? b : a));
        if (at > latest.at) return undefined;
        entries.splice(entries.indexOf(latest), 1);
      }
      entries.push({ at, kind });
      return at;
    },
    /** The earliest due time after `after` of a kind `serves` accepts; Infinity when none. */
    earliest(after: number, serves: (kind: string) => boolean = () => true): number {
      let next = Infinity;
      for (const { at, kind } of entries) if (at > after && at < next && serves(kind)) next = at;
      return next;
    },
    /** Forgets the due times up to `upTo`. */
    forget(upTo: number) {
      entries = entries.filter((d) => d.at > upTo);
    },
  };
}
