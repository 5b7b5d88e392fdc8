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
/** A repeated key whose task finished between the insert and the look-up is inserted again, this often at most. */
const KEY_RACES = 3;

/** The executor of this process, as far as creating tasks is concerned (executor.ts). */
export interface LocalStart {
  runs(kind: string): boolean;
  reserveSlots(n: number): { workerId: string; leaseSeconds: number; slots: number } | undefined;
  startCreated(tasks: ClaimedTask[], slots: number): void;
  wakeIn(ms: number): void;
}

/** What a create gave: the new task, or the one that holds its idempotency or unique key. */
export interface Created {
  task: Task;
  deduplicated: boolean;
}

export function createTaskCreator(store: Store, metrics?: Pick<TaskMetrics, 'created'>, local?: LocalStart) {
  const pending: Array<{ task: NewTask; resolve(created: Created): void; reject(error: unknown): void }> = [];
  let scheduled = false;

  /** One statement; what it claimed for the local executor starts before the caller hears back. */
  async function insert(batch: readonly NewTask[]): Promise<Task[]> {
    const now = Date.now();
    const due = batch.map((t) => !!local?.runs(t.kind) && (t.runAt === null || t.runAt.getTime() <= now));
    const reservation = local?.reserveSlots(due.filter(Boolean).length);
    let inserted: Task[] = [];
    try {
      let left = reservation?.slots ?? 0;
      const claimant = reservation && { ...reservation, claim: due.map((d) => d && left-- > 0) };
      inserted = await store.tasks.insertTasks(batch, claimant);
    } finally {
      // Started as soon as the rows are back (before any lookup of existing keys), so a cancel
      // that follows finds them running here; if the statement failed, the slots come back.
      if (reservation) {
        const claimed = inserted.filter((t) => t.status === 'running' && t.workerId === reservation.workerId);
        local!.startCreated(claimed, reservation.slots);
      }
    }
    wakeWhenDue(inserted);
    metrics?.created(inserted);
    return inserted;
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

  async function flush() {
    scheduled = false;
    const batch = pending.splice(0, MAX_BATCH);
    if (pending.length > 0) schedule();
    try {
      const created = await createAll(store, insert, batch.map((p) => p.task));
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
    /** Resolves once the task is committed (or with the task that holds its key). */
    create(task: NewTask): Promise<Created> {
      return new Promise((resolve, reject) => {
        pending.push({ task, resolve, reject });
        schedule();
      });
    },
    /** A client's batch: one statement of its own (or one more per key that changed hands). */
    createMany: async (batch: readonly NewTask[]) => (await createAll(store, insert, batch)).map((c) => c.task),
  };
}

export type TaskCreator = ReturnType<typeof createTaskCreator>;

/**
 * Creates the batch, all or none, answering in input order. A task whose key is held (an
 * idempotency key for good, a unique key while its task is active or its window lasts) gets
 * the task that holds it; one that lost that task meanwhile (it finished) is inserted again.
 */
async function createAll(store: Store, insert: (batch: readonly NewTask[]) => Promise<Task[]>, batch: readonly NewTask[]): Promise<Created[]> {
  const answers: Array<Created | undefined> = new Array(batch.length);
  let left = batch.map((_, i) => i);
  for (let round = 0; left.length > 0; round++) {
    // A key taken for a time may be claimed once per statement: its repeats wait for the first.
    const windows = new Set<string>();
    const sent = left.filter((i) => {
      const key = batch[i].uniqueKey;
      if (!windowed(batch[i]) || key === null) return true;
      if (windows.has(key)) return false;
      windows.add(key);
      return true;
    });
    const inserted = await insert(sent.map((i) => batch[i]));
    // Inserted rows come back in input order; a row left out always has a key its task holds.
    let next = 0;
    for (const i of sent) {
      const row = inserted[next];
      if (row && row.idempotencyKey === batch[i].idempotencyKey && row.uniqueKey === batch[i].uniqueKey && (row.uniqueUntil !== null) === windowed(batch[i])) {
        answers[i] = { task: row, deduplicated: false };
        next++;
      }
    }
    left = left.filter((i) => answers[i] === undefined);
    if (left.length === 0) break;
    const holders = await store.tasks.tasksByKeys({
      idempotency: left.flatMap((i) => batch[i].idempotencyKey ?? []),
      unique: left.flatMap((i) => (windowed(batch[i]) ? [] : (batch[i].uniqueKey ?? []))),
      windowed: left.flatMap((i) => (windowed(batch[i]) ? [batch[i].uniqueKey!] : [])),
    });
    for (const i of left) {
      const { idempotencyKey, uniqueKey } = batch[i];
      const holder = holders.find(
        (t) =>
          (idempotencyKey !== null && t.idempotencyKey === idempotencyKey) ||
          (uniqueKey !== null && t.uniqueKey === uniqueKey && (t.uniqueUntil !== null) === windowed(batch[i])),
      );
      if (holder) answers[i] = { task: holder, deduplicated: true };
    }
    left = left.filter((i) => answers[i] === undefined);
    if (round + 1 >= KEY_RACES && left.length > 0) throw new Error('a task key changed hands repeatedly while it was being created');
  }
  return answers as Created[];
}

/** A unique key taken for a time: its own kind of key, apart from one held while its task is active. */
const windowed = (t: NewTask) => t.uniqueKey !== null && t.uniqueSeconds !== null;
