// The statements clients cause: create, read, list, cancel and retry tasks.
export { cancelTask } from './cancel-task.js';
export { getTask, getTasks } from './get-tasks.js';
export { insertTasks } from './insert-tasks.js';
export { insertGraph } from './insert-graph.js';
export { countTasks } from './count-tasks.js';
export { listDependents } from './list-dependents.js';
export { listTasks } from './list-tasks.js';
export { queueDepth } from './queue-depth.js';
export { retryTask } from './retry-task.js';
export { tasksByKeys } from './tasks-by-keys.js';
