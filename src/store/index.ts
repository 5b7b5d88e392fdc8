import type { Database } from '../db/client.js';
import { claimStore } from './claims.js';
import { eventStore } from './events.js';
import { retentionStore } from './retention.js';
import { taskStore } from './tasks.js';

/** Every SQL statement of the product, grouped by who runs it. */
export function createStore(db: Database) {
  return { tasks: taskStore(db), claims: claimStore(db), events: eventStore(db), retention: retentionStore(db) };
}

export type Store = ReturnType<typeof createStore>;
export type { ClaimedTask, Task, TaskEvent, TaskStatus, TaskError } from './rows.js';
export { TERMINAL, EVENTS_CHANNEL, WAKE_PAYLOAD } from './rows.js';
