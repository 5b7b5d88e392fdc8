// Creates tasks for many concurrent requests in one statement. Every event-writing commit holds
// the event lock through its WAL flush, so one commit per createTask caps a busy server at a few
// hundred creations a second; gathering the requests that arrive within one turn of the event
// loop into one INSERT makes that one commit per burst instead (measured in bench/README.md).
// While this process's executor waits for work, the same statement claims for it the due tasks of
// its kinds that fit its free slots: they start without a notification and a claim statement,
// half the pickup latency (bench/README.md).
import type { TaskMetrics } from '../metrics.js';
import type { ClaimedTask, NewTask, Store, Task } from '../store/index.js';

const MAX_BATCH = 1000;

/** The executor of this process, as far as creating tasks is concerned (executor.ts). */
export interface LocalStart {
  runs(kind: string): boolean;
  reserveSlots(n: number): { workerId: string; leaseSeconds: number; slots: number } | undefined;
  startCreated(tasks: ClaimedTask[], slots: number): void;
  wakeIn(ms: number): void;
}

export function createTaskCreator(store: Store, metrics?: Pick<TaskMetrics, 'created'>, local?: LocalStart) {
  const pending: Array<{ task: NewTask; resolve(task: Task): void; reject(error: unknown): void }> = [];
  let scheduled = false;

  /** One statement; what it claimed for the local executor starts before the caller hears back. */
  async function insert(batch: NewTask[]): Promise<Task[]> {
    const now = Date.now();
    const due = batch.map((t) => !!local?.runs(t.kind) && (t.runAt === null || t.runAt.getTime() <= now));
    const reservation = local?.reserveSlots(due.filter(Boolean).length);
    let inserted: Task[] = [];
    try {
      let left = reservation?.slots ?? 0;
      const claimant = reservation && { ...reservation, claim: due.map((d) => d && left-- > 0) };
      inserted = await store.tasks.insertTasks(batch, claimant);
    } finally {
      // Started as soon as the rows are back (before any lookup of existing idempotency keys), so
      // a cancel that follows finds them running here; if the statement failed, the slots come back.
      if (reservation) {
        const claimed = inserted.filter((t) => t.status === 'running' && t.workerId === reservation.workerId);
        local!.startCreated(claimed, reservation.slots);
      }
    }
    wakeWhenDue(inserted);
    metrics?.created(inserted);
    return inserted.length === batch.length ? inserted : withExisting(batch, inserted);
  }

  /**
   * Tasks of the local executor's kinds inserted for later wake it when they become due, measured
   * on the database's clock from the statement's now(); the timer starts after it answered, so it
   * is never early. (The statement's due notice tells the other processes, and this one if its
   * listener is up, but names only the earliest due times.)
   */
  function wakeWhenDue(inserted: Task[]) {
    for (const task of inserted) {
      const dueIn = task.runAt.getTime() - task.createdAt.getTime();
      if (task.status === 'pending' && dueIn > 0 && local?.runs(task.kind)) local.wakeIn(dueIn);
    }
  }

  /** Some keys existed already (or repeated within this batch): those answer with the stored task. */
  async function withExisting(batch: NewTask[], inserted: Task[]): Promise<Task[]> {
    const keys = batch.map((t) => t.idempotencyKey).filter((k): k is string => k !== null);
    const byKey = new Map((await store.tasks.tasksByKeys(keys)).map((task) => [task.idempotencyKey!, task]));
    const fresh = inserted.filter((t) => t.idempotencyKey === null).values();
    return batch.map((t) => (t.idempotencyKey === null ? fresh.next().value! : byKey.get(t.idempotencyKey)!));
  }

  async function flush() {
    scheduled = false;
    const batch = pending.splice(0, MAX_BATCH);
    if (pending.length > 0) schedule();
    try {
      const created = await insert(batch.map((p) => p.task));
      batch.forEach((p, i) => p.resolve(created[i]));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  return {
    /** Resolves once the task is committed (or the existing task, for a repeated idempotency key). */
    create(task: NewTask): Promise<Task> {
      return new Promise((resolve, reject) => {
        pending.push({ task, resolve, reject });
        schedule();
      });
    },
    /** A client's batch: one statement of its own, all or none. */
    createMany: insert,
  };
}

export type TaskCreator = ReturnType<typeof createTaskCreator>;
