// Creates tasks for many concurrent requests in one statement. Every event-writing commit holds
// the event lock through its WAL flush, so one commit per createTask caps a busy server at a few
// hundred creations a second; gathering the requests that arrive within one turn of the event
// loop into one INSERT makes that one commit per burst instead (measured in bench/README.md).
import type { Task } from '../store/index.js';
import type { NewTask, TaskStore } from '../store/tasks.js';

const MAX_BATCH = 1000;

export function createTaskCreator(tasks: TaskStore, onInserted?: (inserted: Task[]) => void) {
  const pending: Array<{ task: NewTask; resolve(task: Task): void; reject(error: unknown): void }> = [];
  let scheduled = false;

  async function flush() {
    scheduled = false;
    const batch = pending.splice(0, MAX_BATCH);
    if (pending.length > 0) schedule();
    try {
      const created = await tasks.createTasks(batch.map((p) => p.task), onInserted);
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
  };
}

export type TaskCreator = ReturnType<typeof createTaskCreator>;
