// Flows: the list (#/flows), re-read as their tasks change, and a flow's page (#/flows/<id>) that
// draws its graph, tasks as nodes coloured by status and edges from each task to those it waits
// for, kept live over flowUpdated and the flow's taskEvents (resumed from its cursor).
import type { Client } from 'graphql-ws';
import { describeError, gql } from './api';
import { coalesce, fill, h } from './dom';
import type { EventHub } from './events';
import { statusLabel } from './format';
import {
  CancelFlowDocument, FlowEventsDocument, FlowGraphDocument, FlowsDocument, FlowUpdatedDocument,
  type FlowEventsSubscription, type FlowFieldsFragment, type FlowGraphQuery, type FlowUpdatedSubscription, type TaskStatus,
} from './graphql/generated';

type Flow = FlowFieldsFragment;
type Node = NonNullable<FlowGraphQuery['flow']>['tasks']['nodes'][number];

const flowBadge = (status: string) => h('span', { class: `badge status-${status.toLowerCase()}`, 'data-status': status }, statusLabel(status));
const percent = (flow: Flow) => `${Math.round(flow.progress * 100)}%`;
const countsText = (flow: Flow) =>
  Object.entries(flow.counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status.replace('timedOut', 'timed out')}`)
    .join(', ');

export function flowsView(hub: EventHub) {
  const list = h('div', { class: 'flows' }, h('p', { class: 'muted' }, 'Loading…'));
  const root = h('section', { 'aria-labelledby': 'flows-heading' }, h('h2', { id: 'flows-heading', tabindex: -1 }, 'Flows'), list);
  async function load() {
    try {
      const { flows } = await gql(FlowsDocument);
      if (flows.nodes.length === 0) return fill(list, h('p', { class: 'empty-state' }, 'No flows yet: createFlow makes one.'));
      fill(
        list,
        h(
          'table',
          null,
          h('thead', null, h('tr', null, ...['Flow', 'Status', 'Progress', 'Tasks', 'Created'].map((c) => h('th', { scope: 'col' }, c)))),
          h(
            'tbody',
            null,
            flows.nodes.map((f) =>
              h(
                'tr',
                null,
                h('td', null, h('a', { href: `#/flows/${f.id}` }, `#${f.id}${f.name ? ` ${f.name}` : ''}`)),
                h('td', null, flowBadge(f.status)),
                h('td', null, percent(f)),
                h('td', null, `${f.total}: ${countsText(f)}`),
                h('td', null, new Date(f.createdAt).toLocaleString()),
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      fill(list, h('p', { class: 'error', role: 'alert' }, `Flows unavailable: ${describeError(error)}`));
    }
  }
  const reload = coalesce(() => void load(), 500);
  const off = hub.onEvent(reload);
  const offResync = hub.onResync(reload);
  void load();
  return { root, focus: () => root.querySelector<HTMLElement>('#flows-heading')?.focus(), dispose: () => (off(), offResync()) };
}

/** Columns by depth (a task one right of the deepest task it waits for), rows in id order. */
function layout(nodes: Node[]) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const depthOf = (node: Node): number => {
    const known = depth.get(node.id);
    if (known !== undefined) return known;
    depth.set(node.id, 0); // a guard: the graph has no cycle, but a partial page must not loop
    const d = Math.max(-1, ...node.dependsOn.map((id) => (byId.has(id) ? depthOf(byId.get(id)!) : -1))) + 1;
    depth.set(node.id, d);
    return d;
  };
  const columns: Node[][] = [];
  for (const node of [...nodes].sort((a, b) => Number(a.id) - Number(b.id))) (columns[depthOf(node)] ??= []).push(node);
  const at = new Map<string, { x: number; y: number }>();
  columns.forEach((column, c) => column.forEach((node, r) => at.set(node.id, { x: 20 + c * 150, y: 20 + r * 44 })));
  return { columns, at };
}

const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag: string, attrs: Record<string, string | number>) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
};

function graph(nodes: Node[]) {
  const { columns, at } = layout(nodes);
  const width = 40 + columns.length * 150;
  const height = 40 + Math.max(1, ...columns.map((c) => c.length)) * 44;
  const root = svg('svg', { class: 'flow-graph', viewBox: `0 0 ${width} ${height}`, width, height, role: 'group', 'aria-label': 'The flow as a graph' });
  for (const node of nodes) {
    const to = at.get(node.id)!;
    for (const dep of node.dependsOn) {
      const from = at.get(dep);
      if (from) root.append(svg('line', { class: 'edge', x1: from.x + 120, y1: from.y + 15, x2: to.x, y2: to.y + 15 }));
    }
  }
  const boxes = new Map<string, SVGElement>();
  for (const node of nodes) {
    const { x, y } = at.get(node.id)!;
    const link = svg('a', { href: `#/tasks/${node.id}`, 'aria-label': `Task #${node.id} ${node.kind}: ${statusLabel(node.status)}` });
    const box = svg('g', { class: `node status-${node.status.toLowerCase()}`, 'data-status': node.status });
    box.append(svg('rect', { x, y, width: 120, height: 30, rx: 6 }));
    const label = svg('text', { x: x + 8, y: y + 19 });
    label.textContent = `#${node.id} ${node.kind}`.slice(0, 18);
    box.append(label);
    link.append(box);
    root.append(link);
    boxes.set(node.id, box);
  }
  return {
    root,
    /** Recolours a task's node: its status changed. */
    set(taskId: string, status: TaskStatus) {
      const box = boxes.get(taskId);
      if (!box) return;
      box.setAttribute('class', `node status-${status.toLowerCase()}`);
      box.setAttribute('data-status', status);
      box.parentElement?.setAttribute('aria-label', `Task #${taskId}: ${statusLabel(status)}`);
    },
  };
}

export function flowPage(id: string, client: Client) {
  const summary = h('div', { class: 'panel flow-summary', role: 'status', 'aria-live': 'polite' }, 'Loading…');
  const outcome = h('div', { role: 'status', 'aria-live': 'polite' });
  const picture = h('div', { class: 'panel flow-picture' });
  const root = h('section', { 'aria-labelledby': 'flow-heading' }, h('h2', { id: 'flow-heading', tabindex: -1 }, `Flow #${id}`), summary, outcome, picture);
  let flow: Flow | undefined;
  let drawn: ReturnType<typeof graph> | undefined;
  let cursor: string | undefined;
  const stops: Array<() => void> = [];
  // Statuses that arrived before the graph was drawn: the stream is joined first, so none is missed.
  const early = new Map<string, TaskStatus>();

  function renderSummary() {
    if (!flow) return;
    const cancel = h('button', { type: 'button', disabled: flow.status !== 'RUNNING', onClick: () => void cancelAll() }, 'Cancel flow');
    fill(
      summary,
      h('p', null, flowBadge(flow.status), ` ${flow.name ?? ''} ${percent(flow)} of ${flow.total} tasks ended`),
      h('p', { class: 'muted' }, countsText(flow)),
      cancel,
    );
  }
  async function cancelAll() {
    try {
      flow = (await gql(CancelFlowDocument, { id })).cancelFlow;
      fill(outcome, h('p', { class: 'ok' }, 'Cancelled what had not ended.'));
    } catch (error) {
      fill(outcome, h('p', { class: 'error', role: 'alert' }, `Not cancelled: ${describeError(error)}`));
    }
    renderSummary();
  }
  async function load() {
    try {
      const data = await gql(FlowGraphDocument, { id });
      if (!data.flow) return fill(summary, h('p', { class: 'error', role: 'alert' }, `There is no flow #${id}.`));
      flow = data.flow;
      drawn = graph(data.flow.tasks.nodes);
      for (const [taskId, status] of early) drawn.set(taskId, status);
      const shown = data.flow.tasks.nodes.length;
      fill(picture, shown < data.flow.tasks.totalCount ? h('p', { class: 'muted' }, `The newest ${shown} of ${data.flow.tasks.totalCount} tasks.`) : null, drawn.root);
      renderSummary();
    } catch (error) {
      fill(summary, h('p', { class: 'error', role: 'alert' }, `Flow unavailable: ${describeError(error)}`));
    }
  }
  function follow() {
    // Both end by themselves once the flow has finished.
    stops.push(
      client.subscribe<FlowUpdatedSubscription>({ query: FlowUpdatedDocument.toString(), variables: { id } }, {
        next: (r) => r.data && ((flow = r.data.flowUpdated), renderSummary()),
        error: () => {},
        complete: () => {},
      }),
      client.subscribe<FlowEventsSubscription>(
        {
          query: FlowEventsDocument.toString(),
          // Read at every (re)send: after a reconnect the server replays what was missed.
          get variables() {
            return { flowId: id, after: cursor ?? null } as Record<string, unknown>;
          },
        },
        {
          next: (r) => {
            const event = r.data?.taskEvents;
            if (!event) return;
            cursor = event.cursor;
            if (drawn) drawn.set(event.taskId, event.status);
            else early.set(event.taskId, event.status);
          },
          error: () => {},
          complete: () => {},
        },
      ),
    );
  }
  follow();
  void load();
  return { root, focus: () => root.querySelector<HTMLElement>('#flow-heading')?.focus(), dispose: () => stops.forEach((stop) => stop()) };
}

