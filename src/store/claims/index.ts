// The statements an executor runs: claim, finish attempts in batches, report progress and logs,
// requeue what a dead process left behind, and hand tasks back at shutdown. Every change is
// guarded by status, worker and attempt: zero rows means the change lost a race (cancelled, timed
// out or reclaimed meanwhile) and must be discarded, never applied twice.
export { appendLog } from './append-log.js';
export { claim } from './claim.js';
export { dependenciesOf } from './dependencies-of.js';
export { finish } from './finish.js';
export { overdueExternal } from './overdue-external.js';
export { progress } from './progress.js';
export { release } from './release.js';
export { requeueExpired } from './requeue-expired.js';
