// /metrics: every family is there, and each moves when what it counts happens.
import { expect, it } from 'vitest';
import { describePg } from './support/db.js';
import { appForFile, collect, waitFor } from './support/app.js';

function parse(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

describePg('metrics', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '4', RETRY_BACKOFF_MS: '10' });
  const scrape = async () => {
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return parse(await response.text());
  };
  const value = (m: Map<string, number>, key: string) => m.get(key) ?? 0;

  it('exposes every family and moves each one', async () => {
    const before = await scrape();
    for (const family of [
      'process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes',
      'task_executor_queue_depth{status="pending"}', 'task_executor_event_pump_lag',
      'task_executor_slots_in_use', 'task_executor_concurrency', 'task_executor_subscriptions',
      'task_executor_websockets', 'task_executor_notifications_total',
    ]) expect(before.has(family), family).toBe(true);
    expect(value(before, 'task_executor_concurrency')).toBe(4);

    const client = app.ws();
    const sleeping = await app.gql(`mutation { createTask(input: { kind: "sleep", input: { ms: 30000 } }) { task { id } } }`);
    const id = sleeping.data.createTask.task.id;
    const follow = collect(client, `subscription($id: ID!) { taskUpdated(id: $id) { status } }`, { id }, (items) =>
      items.some((i) => i.taskUpdated.status === 'CANCELLED'),
    );
    await waitFor(async () => follow.items.some((i) => i.taskUpdated.status === 'RUNNING'), 10_000, 'the sleep to run');
    const during = await scrape();
    expect(value(during, 'task_executor_slots_in_use')).toBe(1);
    expect(value(during, 'task_executor_subscriptions')).toBe(1);
    expect(value(during, 'task_executor_websockets')).toBe(1);
    expect(value(during, 'task_executor_queue_depth{status="running"}')).toBe(1);
    expect(value(during, 'task_executor_queue_tasks{queue="default",state="running"}')).toBe(1);

    await app.gql(`mutation Cancel($id: ID!) { cancelTask(id: $id) { task { status } } }`, { id });
    await follow.finished;
    await app.gql(`mutation { a: createTask(input: { kind: "echo" }) { task { id } } b: createTask(input: { kind: "fail", maxAttempts: 2 }) { task { id } } }`);
    await waitFor(async () => value(await scrape(), 'task_executor_tasks_failed_total{kind="fail"}') === 1, 10_000, 'the failure');
    const after = await scrape();
    const moved = (key: string, by: number) => expect(value(after, key) - value(before, key), key).toBe(by);
    moved('task_executor_tasks_created_total{kind="sleep"}', 1);
    moved('task_executor_tasks_created_total{kind="echo"}', 1);
    moved('task_executor_tasks_started_total{kind="fail"}', 2);
    moved('task_executor_tasks_completed_total{kind="echo"}', 1);
    moved('task_executor_tasks_retried_total{kind="fail"}', 1);
    moved('task_executor_tasks_failed_total{kind="fail"}', 1);
    moved('task_executor_tasks_cancelled_total{kind="sleep"}', 1);
    moved('task_executor_task_run_seconds_count{kind="echo"}', 1);
    moved('task_executor_task_queue_wait_seconds_count{kind="echo"}', 1);
    moved('task_executor_graphql_operations_total{operation="Cancel",type="mutation",outcome="ok"}', 1);
    expect(value(after, 'task_executor_graphql_operation_seconds_count{operation="Cancel",type="mutation"}')).toBe(1);
    expect(value(after, 'task_executor_notifications_total')).toBeGreaterThan(value(before, 'task_executor_notifications_total'));
    expect(value(after, 'task_executor_slots_in_use')).toBe(0);
  });

  it('counts each queue\'s pending, held and running tasks', async () => {
    await app.gql(`mutation { pauseQueue(name: "metered") { paused } }`);
    await app.gql(`mutation { createTasks(inputs: [{ kind: "echo", queue: "metered" }, { kind: "echo", queue: "metered" }]) { tasks { id } } }`);
    const paused = await scrape();
    expect(value(paused, 'task_executor_queue_tasks{queue="metered",state="pending"}')).toBe(2);
    expect(value(paused, 'task_executor_queue_tasks{queue="metered",state="held"}')).toBe(2);
    expect(value(paused, 'task_executor_queue_tasks{queue="metered",state="running"}')).toBe(0);
    await app.gql(`mutation { resumeQueue(name: "metered") { paused } }`);
    await waitFor(async () => value(await scrape(), 'task_executor_queue_tasks{queue="metered",state="pending"}') === 0, 10_000, 'the queue to drain');
  });

  it('counts a timeout', async () => {
    const before = await scrape();
    await app.gql(`mutation { createTask(input: { kind: "sleep", input: { ms: 5000 }, timeoutSeconds: 1, maxAttempts: 1 }) { task { id } } }`);
    await waitFor(async () => value(await scrape(), 'task_executor_tasks_timed_out_total{kind="sleep"}') > value(before, 'task_executor_tasks_timed_out_total{kind="sleep"}'), 10_000, 'the timeout');
  });
});
