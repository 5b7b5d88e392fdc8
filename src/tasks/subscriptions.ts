// Live streams for clients, built on the event pump. Each stream joins the live feed first, then
// (given a cursor) backfills from the table, dropping what it has already sent by id: no gap, no
// duplicate. A stream that falls too far behind is ended with SUBSCRIBER_TOO_SLOW, so one slow
// client never holds memory or stalls the pump; it resumes from its last cursor.
import { ClientError } from '../errors.js';
import type { Store, Task, TaskEvent } from '../store/index.js';
import type { EventPump } from './events.js';
import { flowProgress } from './flow-progress.js';
import { follow } from './follow.js';
import { retrying } from './retry.js';
import { flowUpdates, taskUpdates, type StateStreams } from './state-streams.js';

const BACKFILL_PAGE = 500;

export interface EventWithTask {
  event: TaskEvent;
  task: Task;
}

export function createSubscriptions(options: { pump: EventPump; store: Store; bufferLimit: number; maxBackfill?: number }) {
  const { pump, store, bufferLimit } = options;
  const maxBackfill = options.maxBackfill ?? Number.POSITIVE_INFINITY;
  const streams: StateStreams = { pump, store, bufferLimit, open: 0 };

  return {
    /** Streams open now. */
    active: () => streams.open,

    /**
     * Every event (of one task, when taskId is given, or of a flow's tasks, when flowId is) in
     * commit order, from after `after` on. A flow's stream ends once the flow has finished.
     */
    async *events(args: { after?: number; taskId?: string; flowId?: string }): AsyncGenerator<EventWithTask> {
      const { taskId, flowId } = args;
      let flow: ReturnType<typeof flowProgress> | undefined;
      // Joined before the flow's snapshot is read: what commits in between is queued, then sorted.
      const live = follow(pump, flowId ? (event) => !flow || flow.has(event.taskId) : taskId, bufferLimit);
      streams.open++;
      try {
        let last = args.after ?? pump.lastSeen();
        if (flowId) {
          const snapshot = await retrying(() => store.flows.flowSnapshot(flowId, args.after !== undefined));
          if (!snapshot) throw new ClientError('FLOW_NOT_FOUND', `Flow ${flowId} does not exist`);
          flow = flowProgress(snapshot, args.after !== undefined);
        }
        if (args.after) {
          const pruned = await retrying(() => store.retention.prunedThrough());
          if (args.after < pruned) {
            throw new ClientError('CURSOR_EXPIRED', `Events up to ${pruned} were pruned; resubscribe with after: "0" for what is kept`);
          }
        }
        let replayed = 0;
        if (args.after !== undefined) {
          while (!flow?.finished(last)) {
            const from = last;
            const page = await retrying(() =>
              flowId ? store.flows.readFlowEvents(flowId, from, BACKFILL_PAGE) : store.events.readEvents(from, BACKFILL_PAGE, taskId),
            );
            const tasks = await retrying(() => store.tasks.getTasks([...new Set(page.map((e) => e.taskId))]));
            for (const event of page) {
              if (++replayed > maxBackfill) {
                throw new ClientError('BACKFILL_LIMIT', `At most ${maxBackfill} past events per subscription; resubscribe with after: "${last}"`);
              }
              const task = tasks.get(event.taskId);
              last = event.id;
              flow?.saw(event);
              if (task) yield { event, task };
              if (flow?.finished(last)) return;
            }
            const firstLive = live.firstId();
            if (page.length < BACKFILL_PAGE || (firstLive !== undefined && last >= firstLive)) break;
          }
        }
        while (!flow?.finished(last)) {
          const { event, batch } = await live.next();
          if (event.id <= last) continue;
          last = event.id;
          flow?.saw(event);
          const task = (await batch.tasks()).get(event.taskId);
          if (task) yield { event, task };
        }
      } finally {
        streams.open--;
        live.close();
      }
    },

    /** The flow now, then after each change of its tasks; ends once it has finished. */
    flowUpdates: (id: string) => flowUpdates(streams, id),
    /** The task now, then its state after every change; ends after a terminal state. */
    taskUpdates: (id: string) => taskUpdates(streams, id),
  };
}

export type Subscriptions = ReturnType<typeof createSubscriptions>;
