// Reading the append-only event log.
export { latestEventId } from './latest-event-id.js';
export { readEvents } from './read-events.js';
export { readLogs } from './read-logs.js';
export { readNext, type EventFilter } from './read-next.js';
