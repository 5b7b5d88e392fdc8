// How many tasks the embedded executor may claim and start, from its state: concurrency and
// paused (its worker row's commands), stopping, the slots held for tasks being created in this
// process, and the outcomes not yet committed. Pure, so the rules read apart from the timers and
// statements that apply them.

export interface SlotState {
  concurrency: number;
  /** Tasks claimed ahead of free slots, so claims come in bigger batches (0: free slots only). */
  prefetch: number;
  /** Paused from outside (pauseWorker): running tasks finish, nothing new is claimed. */
  paused: boolean;
  stopping: boolean;
  /** Slots held for tasks being created in this process (reserveSlots), not yet started. */
  reserved: number;
  /** Settled attempts whose outcome is not committed yet. */
  unrecorded: number;
}

/** Outcomes waiting for their commit past which no new handler starts: memory stays bounded. */
export const MAX_UNRECORDED = 5000;

/** Paused or scaled to zero: it takes no work, not even ahead. */
export const takesNoWork = (s: SlotState) => s.paused || s.concurrency === 0;

/** How many tasks the next claim may take, given those running and those claimed and waiting. */
export function claimLimit(s: SlotState, running: number, queued: number): number {
  // With prefetch, refill only once the local queue is half empty, so claims stay big.
  if (s.stopping || (s.prefetch > 0 && queued > s.prefetch / 2)) return 0;
  return takesNoWork(s) ? 0 : s.concurrency + s.prefetch - running - queued - s.reserved;
}

/** Whether a claimed task waiting here may start now. */
export const mayStart = (s: SlotState, running: number) =>
  running + s.reserved < s.concurrency && s.unrecorded < MAX_UNRECORDED && !s.stopping && !s.paused;

/** How many free slots may be held for tasks being created here; 0 when it takes none now. */
export function reservable(s: SlotState, wanted: number, running: number): number {
  if (s.paused || s.stopping) return 0;
  return Math.max(0, Math.min(wanted, s.concurrency - running - s.reserved));
}
