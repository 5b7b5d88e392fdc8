// A change of a queue's rules, and the releases its free slots allow. The release statements come
// after the change commits, so they see every task held under the old rules (a claim holding
// tasks had the queue's row locked, and the change waited for it), and claims from then on judge
// by the new rules: no hold is left behind in between.
import type { QueueChange, Store } from '../store/index.js';

/** Released per statement: each is its own short commit, however many tasks a resume lets go. */
const BATCH = 5000;

export async function changeRules(store: Store, name: string, change: QueueChange): Promise<void> {
  await store.queues.changeQueue(name, change);
  // Resumed, or given more slots: as many held tasks as the rules now let start, head first.
  for (let released = 0, n = BATCH; n === BATCH; released += n) {
    n = await store.queues.releaseQueueHolds(BATCH, name, released);
  }
  // A raised keyConcurrency frees slots for tasks their keys hold.
  if (change.keyConcurrency !== undefined) await store.queues.releaseKeyHolds(10_000, name);
}
