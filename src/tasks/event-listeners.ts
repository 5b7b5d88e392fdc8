// Who in this process follows events, and handing each batch the pump read to them. Listeners to
// many tasks (by type, or everything) see each batch; listeners to one task are found by its id,
// so ten thousand followers of single tasks cost a lookup per event, not a scan of every follower.
import type { Logger } from '../logger.js';
import type { EventFilter, Task, TaskEvent } from '../store/index.js';

export interface EventBatch {
  readonly events: readonly TaskEvent[];
  /** The current rows of the batch's tasks, read once per batch for all who ask, and only if asked. */
  tasks(): Promise<Map<string, Task>>;
}

export type BatchListener = (batch: EventBatch) => void;

/** What a listener follows: events of these types, or of this task; everything when absent. */
export interface Interest {
  types?: string[];
  taskId?: string;
}

/** Past this many followed tasks, reading every event is cheaper than sending the id list. */
const MAX_FILTERED_TASKS = 500;

export function createEventListeners(log: Logger) {
  const broad = new Map<BatchListener, Interest | undefined>();
  const byTask = new Map<string, Set<BatchListener>>();
  /** Bumped by every new listener: a read begun before it used a filter that may not cover it. */
  let epoch = 0;

  /** The union of what listeners follow: null means someone follows everything. */
  function filter(): EventFilter | null {
    const types = new Set<string>();
    for (const interest of broad.values()) {
      if (!interest?.types) return null;
      for (const type of interest.types) types.add(type);
    }
    if (byTask.size > MAX_FILTERED_TASKS) return null;
    return { types: [...types], taskIds: [...byTask.keys()] };
  }

  function call(listener: BatchListener, batch: EventBatch) {
    try {
      listener(batch);
    } catch (error) {
      log.error({ err: error }, 'event listener threw');
    }
  }

  /** Hands events, in order, to those who follow them; `load` reads their tasks' current rows. */
  function deliver(events: readonly TaskEvent[], load: () => Promise<Map<string, Task>>) {
    let loaded: Promise<Map<string, Task>> | undefined;
    const batch: EventBatch = { events, tasks: () => (loaded ??= load()) };
    for (const [listener, interest] of broad) {
      const types = interest?.types;
      if (!types) {
        call(listener, batch);
        continue;
      }
      const matching = events.filter((e) => types.includes(e.type));
      if (matching.length > 0) call(listener, { events: matching, tasks: batch.tasks });
    }
    if (byTask.size === 0) return;
    const perTask = new Map<string, TaskEvent[]>();
    for (const event of events) {
      if (!byTask.has(event.taskId)) continue;
      const list = perTask.get(event.taskId);
      if (list) list.push(event);
      else perTask.set(event.taskId, [event]);
    }
    for (const [taskId, taskEvents] of perTask) {
      const sub: EventBatch = { events: taskEvents, tasks: batch.tasks };
      for (const listener of byTask.get(taskId) ?? []) call(listener, sub);
    }
  }

  return {
    filter,
    deliver,
    epoch: () => epoch,
    /**
     * Whether events of these types matter to no one here. Followers of single tasks may care about
     * any type (a notice does not name tasks), so with any of them every notification is read.
     */
    nobodyFollows(types: string[]): boolean {
      const followed = filter();
      return followed !== null && followed.taskIds.length === 0 && !types.some((type) => followed.types.includes(type));
    },
    subscribe(listener: BatchListener, interest?: Interest): () => void {
      epoch++;
      const taskId = interest?.taskId;
      if (taskId === undefined) {
        broad.set(listener, interest);
        return () => broad.delete(listener);
      }
      const set = byTask.get(taskId) ?? new Set();
      byTask.set(taskId, set.add(listener));
      return () => {
        set.delete(listener);
        if (set.size === 0 && byTask.get(taskId) === set) byTask.delete(taskId);
      };
    },
  };
}
