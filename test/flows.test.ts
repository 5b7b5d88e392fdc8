// A flow followed as one: taskEvents(flowId:) in commit order, resumed from a cursor after a dropped
// connection with nothing missed or doubled, ending once the flow has; and flowUpdated.
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { sleep, type TaskKind } from '../src/tasks/kind.js';
import { describePg } from './support/db.js';
import { appForFile, collect } from './support/app.js';

const FLOW = `mutation($input: CreateFlowInput!) { createFlow(input: $input) { id status } }`;
const EVENTS = `subscription($flowId: ID, $after: String) { taskEvents(flowId: $flowId, after: $after) { cursor type status taskId } }`;

const step: TaskKind<{ ms: number }> = { run: (input, ctx) => sleep(input.ms, ctx.signal) };

/** Three layers of `width` tasks, each depending on every task of the layer before. */
function layered(width: number, ms: number) {
  const tasks = [];
  for (let layer = 0; layer < 3; layer++) {
    for (let i = 0; i < width; i++) {
      const dependsOn = layer === 0 ? [] : Array.from({ length: width }, (_, j) => `l${layer - 1}-${j}`);
      tasks.push({ ref: `l${layer}-${i}`, kind: 'step', input: { ms }, dependsOn });
    }
  }
  return tasks;
}

describePg('flows', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '4', POLL_INTERVAL_MS: '60000' }, { step });
  const flowEvents = async (flowId: string) =>
    (
      await app.db.query<{ id: string }>(sql`
        SELECT e.id::text AS id FROM task_events e JOIN tasks t ON t.id = e.task_id WHERE t.flow_id = ${flowId}::bigint ORDER BY e.id`)
    ).map((r) => r.id);

  it('follows a flow from a cursor across a dropped connection: every event once, in order, then completes', async () => {
    const { data } = await app.gql(FLOW, { input: { name: 'layers', tasks: layered(4, 30) } });
    const flowId = data.createFlow.id as string;
    // The first connection takes a dozen events and drops.
    const first = collect(app.ws(), EVENTS, { flowId, after: '0' }, (items) => items.length >= 12);
    const seen = [...(await first.finished)].map((i) => i.taskEvents);
    expect(seen.length).toBeGreaterThanOrEqual(12);
    // Resumed from the last cursor on a new connection, it runs to the end of the flow by itself.
    const rest = (await collect(app.ws(), EVENTS, { flowId, after: seen.at(-1).cursor }, () => false, 30_000).finished).map((i) => i.taskEvents);
    const cursors = [...seen, ...rest].map((e) => e.cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(cursors).toEqual(await flowEvents(flowId));
    expect(rest.at(-1)).toMatchObject({ type: 'completed', status: 'COMPLETED' });
    // Every task's own events are in lifecycle order.
    const byTask = new Map<string, string[]>();
    for (const e of [...seen, ...rest]) byTask.set(e.taskId, [...(byTask.get(e.taskId) ?? []), e.type]);
    for (const [taskId, types] of byTask) {
      expect(types.filter((t) => !['progress', 'log'].includes(t)), taskId).toEqual(
        types.includes('ready') ? ['created', 'ready', 'started', 'completed'] : ['created', 'started', 'completed'],
      );
    }
    // Followed live only, a finished flow's stream ends at once.
    const live = await collect(app.ws(), EVENTS, { flowId }, () => false, 5000).finished;
    expect(live).toEqual([]);
  });

  it('flowUpdated sends the flow now, then as its tasks change, and completes when it has finished', async () => {
    const { data } = await app.gql(FLOW, { input: { tasks: layered(2, 50) } });
    const flowId = data.createFlow.id as string;
    const updates = (await collect(app.ws(), `subscription($id: ID!) { flowUpdated(id: $id) { status progress counts { waiting completed } } }`, { id: flowId }, () => false, 30_000).finished).map(
      (i) => i.flowUpdated,
    );
    expect(updates[0].status).toBe('RUNNING');
    expect(updates.at(-1)).toEqual({ status: 'COMPLETED', progress: 1, counts: { waiting: 0, completed: 6 } });
    const progress = updates.map((u) => u.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('refuses to follow a flow that does not exist', async () => {
    const sub = collect(app.ws(), EVENTS, { flowId: '999999' }, () => false, 5000);
    await sub.finished;
    expect(JSON.stringify(sub.errors)).toContain('FLOW_NOT_FOUND');
    const updated = collect(app.ws(), `subscription { flowUpdated(id: "999999") { status } }`, {}, () => false, 5000);
    await updated.finished;
    expect(JSON.stringify(updated.errors)).toContain('FLOW_NOT_FOUND');
  });
});
