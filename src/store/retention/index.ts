// Pruning: old events in small batches, finished tasks past an optional retention, ended unique-key windows.
export { pruneEvents } from './prune-events.js';
export { pruneFinishes } from './prune-finishes.js';
export { pruneTasks } from './prune-tasks.js';
export { prunedThrough } from './pruned-through.js';
export { pruneWindows } from './prune-windows.js';
