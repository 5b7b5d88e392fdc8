// The statements of flows: read them and their tasks, cancel them. A flow is created with its
// tasks (tasks/insert-graph.ts).
export { cancelFlow } from './cancel-flow.js';
export { flowSnapshot, type FlowSnapshot } from './flow-snapshot.js';
export { getFlow, getFlows } from './get-flows.js';
export { listFlows } from './list-flows.js';
export { readFlowEvents } from './read-flow-events.js';
export type { Flow } from './rows.js';
export type { FlowPage } from './list-flows.js';
