// Keeps the event log and, if asked, the task history from growing forever. Runs in every process
// every few minutes; batches are small and spaced out so a large backlog never stalls the
// database or the executor, and concurrent pruners simply share the work.
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';

const BATCH = 1000;
/**
 * Between two batches of a backlog, a pause as long as the batch took (at least MIN_PAUSE_MS): so
 * pruning takes at most half of one connection's time however busy the database is. A fixed 50 ms
 * pruned about 16,000 rows a second here, slower than a busy executor writes events (bench/README.md).
 */
const MIN_PAUSE_MS = 10;

export function keepRetention(options: {
  store: Store;
  log: Logger;
  eventRetentionSeconds: number;
  taskRetentionSeconds: number | undefined;
  intervalMs?: number;
}): { stop(): void; runOnce(): Promise<{ events: number; tasks: number }> } {
  const { store, eventRetentionSeconds, taskRetentionSeconds } = options;
  const log = options.log.child({ component: 'retention' });
  let stopped = false;
  let running: Promise<unknown> | undefined;

  async function drain(prune: () => Promise<number>): Promise<number> {
    let total = 0;
    while (!stopped) {
      const started = performance.now();
      const n = await prune();
      total += n;
      if (n < BATCH) break;
      await new Promise((resolve) => setTimeout(resolve, Math.max(MIN_PAUSE_MS, performance.now() - started)));
    }
    return total;
  }

  async function runOnce() {
    const events = await drain(() => store.retention.pruneEvents(eventRetentionSeconds, BATCH));
    const tasks = taskRetentionSeconds === undefined ? 0 : await drain(() => store.retention.pruneTasks(taskRetentionSeconds, BATCH));
    await store.retention.pruneFinishes();
    await drain(() => store.retention.pruneWindows(BATCH));
    if (events || tasks) log.info({ events, tasks }, 'pruned');
    return { events, tasks };
  }

  const timer = setInterval(() => {
    running ??= runOnce()
      .catch((error) => log.warn({ err: error }, 'pruning failed'))
      .finally(() => (running = undefined));
  }, (options.intervalMs ?? 300_000) * (0.9 + Math.random() * 0.2));
  timer.unref();
  return {
    runOnce,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
