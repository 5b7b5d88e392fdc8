// The statements about workers: register, heartbeat, steer, and find the ones that stopped
// heartbeating.
export { beat, type WorkerReport } from './beat.js';
export { beatExternal } from './beat-external.js';
export { refreshCounts } from './refresh-counts.js';
export { externalKinds } from './external-kinds.js';
export { markSilentOffline } from './mark-silent-offline.js';
export { reactivateWithRunningCount } from './reactivate-with-running-count.js';
export { getWorker, getWorkers } from './get-workers.js';
export { listWorkers } from './list-workers.js';
export { register } from './register.js';
export { setState } from './set-state.js';
export { steer } from './steer.js';
