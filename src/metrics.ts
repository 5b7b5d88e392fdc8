// Prometheus metrics at /metrics. Counters are per process (Prometheus sums instances); gauges that
// describe the shared queue are read from the database at scrape time, from the partial indexes.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const TASK_EVENTS = ['created', 'started', 'completed', 'failed', 'retried', 'cancelled', 'timed_out'] as const;
export type CountedEvent = (typeof TASK_EVENTS)[number];

/** What the executor and the API report; they know nothing of Prometheus. */
export interface TaskMetrics {
  count(event: CountedEvent, kind: string, n?: number): void;
  /** Tasks just inserted (not those a repeated idempotency key returned). */
  created(inserted: ReadonlyArray<{ kind: string }>): void;
  started(kind: string, queueWaitSeconds: number): void;
  ran(kind: string, seconds: number): void;
}

export interface Sources {
  queueDepth(): Promise<{ pending: number; running: number }>;
  /** Per queue: its pending tasks, those of them held by a rule, and its running ones. */
  queues(): Promise<Array<{ name: string; pending: number; running: number; held: number }>>;
  pumpLag(): Promise<number>;
  slots(): { inUse: number; concurrency: number };
  subscriptions(): number;
  webSockets(): number;
}

const SECONDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300, 1800];

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const counters = Object.fromEntries(
    TASK_EVENTS.map((event) => [
      event,
      new Counter({ name: `task_executor_tasks_${event}_total`, help: `Tasks ${event.replace('_', ' ')} by this process`, labelNames: ['kind'], registers }),
    ]),
  ) as Record<CountedEvent, Counter<'kind'>>;
  const runTime = new Histogram({ name: 'task_executor_task_run_seconds', help: 'Handler run time by kind', labelNames: ['kind'], buckets: SECONDS, registers });
  const queueWait = new Histogram({ name: 'task_executor_task_queue_wait_seconds', help: 'From runAt to start, by kind', labelNames: ['kind'], buckets: SECONDS, registers });
  const notifications = new Counter({ name: 'task_executor_notifications_total', help: 'NOTIFY wake-ups received', registers });
  const operations = new Counter({ name: 'task_executor_graphql_operations_total', help: 'GraphQL operations by name, type and outcome', labelNames: ['operation', 'type', 'outcome'], registers });
  const operationTime = new Histogram({ name: 'task_executor_graphql_operation_seconds', help: 'GraphQL operation duration (subscriptions: until set up)', labelNames: ['operation', 'type'], buckets: SECONDS, registers });
  let sources: Sources | undefined;
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge<string>) => Promise<void> | void) =>
    new Gauge({ name, help, labelNames, registers, collect() { return sources ? collect(this) : undefined; } });
  gauge('task_executor_queue_depth', 'Tasks pending or running, in the whole database', ['status'], async (g) => {
    const depth = await sources!.queueDepth();
    g.set({ status: 'pending' }, depth.pending);
    g.set({ status: 'running' }, depth.running);
  });
  gauge('task_executor_queue_tasks', 'Tasks per queue: pending (held among them), held back by a rule, running', ['queue', 'state'], async (g) => {
    g.reset();
    for (const queue of await sources!.queues()) {
      g.set({ queue: queue.name, state: 'pending' }, queue.pending);
      g.set({ queue: queue.name, state: 'held' }, queue.held);
      g.set({ queue: queue.name, state: 'running' }, queue.running);
    }
  });
  gauge('task_executor_event_pump_lag', 'Newest event id minus the last one this process delivered', [], async (g) => g.set(await sources!.pumpLag()));
  gauge('task_executor_slots_in_use', 'Handlers running in this process', [], (g) => g.set(sources!.slots().inUse));
  gauge('task_executor_concurrency', 'Handlers this process may run at once', [], (g) => g.set(sources!.slots().concurrency));
  gauge('task_executor_subscriptions', 'Live GraphQL subscriptions in this process', [], (g) => g.set(sources!.subscriptions()));
  gauge('task_executor_websockets', 'Open WebSocket connections in this process', [], (g) => g.set(sources!.webSockets()));

  // Operation names come from clients: only well-formed ones, and a bounded number, become labels.
  const seenNames = new Set<string>();
  const operationLabel = (name: string | undefined) => {
    if (!name) return 'anonymous';
    if (seenNames.has(name)) return name;
    if (seenNames.size >= 200 || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return 'other';
    seenNames.add(name);
    return name;
  };

  const tasks: TaskMetrics = {
    count: (event, kind, n = 1) => counters[event].inc({ kind }, n),
    created: (inserted) => {
      for (const task of inserted) counters.created.inc({ kind: task.kind });
    },
    started: (kind, wait) => {
      counters.started.inc({ kind });
      queueWait.observe({ kind }, Math.max(0, wait));
    },
    ran: (kind, seconds) => runTime.observe({ kind }, seconds),
  };

  return {
    registry,
    tasks,
    notified: () => notifications.inc(),
    operation(name: string | undefined, type: string, outcome: 'ok' | 'error', seconds: number) {
      const operation = operationLabel(name);
      operations.inc({ operation, type, outcome });
      operationTime.observe({ operation, type }, seconds);
    },
    /** Connects the scrape-time gauges once the parts they read exist. */
    attach(from: Sources) {
      sources = from;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
