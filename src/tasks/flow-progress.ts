// When a flow's event stream is done: every task of the flow has ended, and the stream has passed
// the flow's last event. Statuses start from a snapshot (store/flows/flow-snapshot.ts) and follow
// the events after its mark; events at or below it are already in the snapshot.
import { TERMINAL, type FlowSnapshot, type TaskEvent } from '../store/index.js';

export function flowProgress(snapshot: FlowSnapshot, fromCursor: boolean) {
  const { statuses, mark } = snapshot;
  let open = [...statuses.values()].filter((status) => !TERMINAL.has(status)).length;
  // From a cursor, the stream replays up to the flow's last event before it may end; live only,
  // a flow already finished ends it at once.
  const needed = fromCursor ? snapshot.lastEvent : 0;
  return {
    has: (taskId: string) => statuses.has(taskId),
    saw(event: TaskEvent) {
      const before = statuses.get(event.taskId);
      if (event.id <= mark || before === undefined) return;
      open += Number(!TERMINAL.has(event.status)) - Number(!TERMINAL.has(before));
      statuses.set(event.taskId, event.status);
    },
    finished: (last: number) => open === 0 && last >= needed,
  };
}
