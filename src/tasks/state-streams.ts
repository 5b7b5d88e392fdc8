// Streams of the latest state of one thing (a task, a flow): the state now, then after each change;
// a slow client skips intermediate states, since it wants where the thing is, not where it was.
import { ClientError } from '../errors.js';
import { TaskNotFound, TERMINAL, type Flow, type Store, type Task } from '../store/index.js';
import type { EventPump } from './events.js';
import { follow } from './follow.js';
import { retrying } from './retry.js';

export interface StateStreams {
  pump: EventPump;
  store: Store;
  bufferLimit: number;
  /** Streams open now, counted by every kind of stream. */
  open: number;
}

/**
 * The flow now, then after each change of its tasks (a slow client skips to the latest); ends
 * once it has finished. Rejects at once when the flow does not exist.
 */
export async function flowUpdates(streams: StateStreams, id: string): Promise<AsyncGenerator<Flow>> {
  const { pump, store, bufferLimit } = streams;
  let members: Set<string> | undefined;
  const live = follow(pump, (event) => !members || members.has(event.taskId), bufferLimit);
  const [snapshot, first] = await Promise.all([store.flows.flowSnapshot(id), store.flows.getFlow(id)]).catch((error) => {
    live.close();
    throw error;
  });
  if (!snapshot || !first) {
    live.close();
    throw new ClientError('FLOW_NOT_FOUND', `Flow ${id} does not exist`);
  }
  members = new Set(snapshot.statuses.keys());
  return (async function* () {
    streams.open++;
    try {
      let flow = first;
      yield flow;
      while (flow.status === 'running') {
        live.skipToLatest();
        await live.next();
        flow = (await retrying(() => store.flows.getFlow(id))) ?? flow;
        yield flow;
      }
    } finally {
      streams.open--;
      live.close();
    }
  })();
}

/**
 * The task now, then its state after every change; ends after a terminal state. Rejects at
 * once, before any stream exists, when the task does not exist.
 */
export async function taskUpdates(streams: StateStreams, id: string): Promise<AsyncGenerator<Task>> {
  const { pump, store, bufferLimit } = streams;
  const live = follow(pump, id, bufferLimit);
  const first = await store.tasks.getTask(id).catch((error) => {
    live.close();
    throw error;
  });
  if (!first) {
    live.close();
    throw new TaskNotFound(id);
  }
  return (async function* () {
    streams.open++;
    try {
      let task = first;
      yield task;
      while (!TERMINAL.has(task.status)) {
        // A slow client skips intermediate states: it wants where the task is, not where it was.
        live.skipToLatest();
        const { batch } = await live.next();
        task = (await batch.tasks()).get(id) ?? task;
        yield task;
      }
    } finally {
      streams.open--;
      live.close();
    }
  })();
}
