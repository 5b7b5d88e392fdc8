// The statements about queues: read them with their counts, change their rules, and release the
// tasks they or their keys held once a slot is free.
export { changeQueue, type QueueChange } from './change-queue.js';
export { listQueues, type Queue } from './list-queues.js';
export { releaseKeyHolds } from './release-key-holds.js';
export { releaseQueueHolds } from './release-queue-holds.js';
export { pausedQueues } from './paused-queues.js';
