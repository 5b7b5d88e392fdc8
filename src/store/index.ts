import type { Database } from '../db/client.js';
import { claimStore, type LogLimits } from './claims.js';
import { eventStore } from './events.js';
import { retentionStore } from './retention.js';
import { statsStore } from './stats.js';
import { taskStore } from './tasks.js';
import { workerStore } from './workers.js';

/** Every SQL statement of the product, grouped by who runs it. */
export function createStore(db: Database, options: { logs?: LogLimits } = {}) {
  return {
    tasks: taskStore(db),
    claims: claimStore(db, options.logs),
    events: eventStore(db),
    retention: retentionStore(db),
    stats: statsStore(db),
    workers: workerStore(db),
  };
}

export type Store = ReturnType<typeof createStore>;
export type { ClaimedTask, Task, TaskEvent, TaskStatus, TaskError } from './rows.js';
export type { Claimant, NewTask } from './tasks.js';
export { TERMINAL, EVENTS_CHANNEL, TASKS_DUE_CHANNEL, parseDueNotice, parseEventNotice } from './rows.js';
