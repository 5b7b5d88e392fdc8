// Starts the dashboard: asks for an access key when the server requires one, opens the socket,
// lays out the page and routes by the URL's hash (#/, #/tasks/<id>, #/workers, #/queues, #/flows, #/flows/<id>, #/schedules). The task list's
// filter lives in the hash too (#/?status=RUNNING&kind=…), so a reload or a shared link keeps it.
import { askForKey, currentKey, forgetKey } from './auth';
import { ApiError, describeError, gql, whenUnauthenticated } from './api';
import { createForm } from './create-form';
import { fill, h } from './dom';
import { KindsDocument } from './graphql/generated';
import { followAllEvents } from './events';
import { connectSocket, type ConnectionState } from './socket';
import { statsView } from './stats';
import { taskPage } from './task-page';
import { STATUSES } from './format';
import { tasksTable, type Filter } from './tasks-table';
import type { TaskStatus } from './types';
import { workersView } from './workers';
import { queuesView } from './queues';
import { flowPage, flowsView } from './flows';
import { schedulesView } from './schedules';

const app = document.getElementById('app')!;

/** The filter a #/?status=…&kind=… hash asks for; null when it names none. Unknown statuses are ignored. */
function filterInHash(): Filter | null {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  if (!query.has('status') && !query.has('kind')) return null;
  const status = query.get('status') as TaskStatus | null;
  return { status: status && STATUSES.includes(status) ? status : undefined, kind: query.get('kind') || undefined };
}

function hashOf(filter: Filter): string {
  const query = new URLSearchParams();
  if (filter.status) query.set('status', filter.status);
  if (filter.kind) query.set('kind', filter.kind);
  const text = query.toString();
  return text ? `#/?${text}` : '#/';
}

/** Resolves once the server answers a query: with no key when it is open, else with an accepted one. */
async function authenticate(): Promise<void> {
  let problem = 'This server requires an access key.';
  for (;;) {
    try {
      await gql(KindsDocument);
      return;
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'UNAUTHENTICATED')) return; // shown by the views
      if (currentKey()) problem = 'That key was not accepted. Check it and try again.';
      forgetKey();
      await askForKey(app, problem);
    }
  }
}

function connectionBanner() {
  const banner = h('div', { class: 'banner', role: 'alert', hidden: true, id: 'connection-banner' });
  const indicator = h('span', { class: 'live', 'data-state': 'connecting' }, 'Connecting…');
  const texts: Record<ConnectionState, [string, string | undefined]> = {
    connecting: ['Connecting…', undefined],
    connected: ['Live', undefined],
    lost: ['Offline', 'The connection to the server was lost. Reconnecting… what you see may be out of date until then.'],
    refused: ['Refused', 'The server refused the connection: the access key is missing or no longer valid.'],
  };
  let shown = false;
  return {
    banner,
    indicator,
    set(state: ConnectionState) {
      const [label, message] = texts[state];
      indicator.textContent = label;
      indicator.dataset.state = state;
      if (message) {
        banner.textContent = message;
        banner.hidden = false;
        shown = true;
      } else if (shown && state === 'connected') {
        // Say it came back, briefly, so the change is noticed.
        banner.textContent = 'Reconnected: catching up with what happened meanwhile.';
        banner.className = 'banner ok';
        setTimeout(() => (banner.hidden = true), 3000);
        shown = false;
        return;
      }
      banner.className = 'banner';
    },
  };
}

async function main() {
  await authenticate();
  whenUnauthenticated(() => {
    forgetKey();
    location.reload();
  });

  const status = connectionBanner();
  let hub: ReturnType<typeof followAllEvents> | undefined;
  const client = connectSocket({
    onState: (state) => {
      status.set(state);
      // A key the socket refuses (4403) is no good: drop it, and the reload asks for another.
      if (state === 'refused' && currentKey()) {
        forgetKey();
        setTimeout(() => location.reload(), 1500);
      }
    },
    onReconnected: () => hub?.resync(),
  });
  hub = followAllEvents(client);

  const form = createForm();
  const onHome = () => !/^#\/(tasks|workers|queues|flows|schedules)/.test(location.hash);
  const table = tasksTable(
    hub,
    (filter) => {
      stats.render();
      if (onHome()) history.replaceState(null, '', hashOf(filter));
    },
    filterInHash() ?? {},
  );
  const stats = statsView(hub, (s) => table.setStatus(s), table.filterStatus);
  // External workers bring their own kinds: the list is read again after every reconnect.
  const loadKinds = () =>
    gql(KindsDocument)
      .then(({ taskKinds }) => {
        form.setKinds(taskKinds);
        table.setKinds(taskKinds);
      })
      .catch((error) => form.setKinds(undefined, describeError(error)));
  void loadKinds();
  hub.onResync(() => void loadKinds());

  const home = h('div', { class: 'home' }, stats.root, h('div', { class: 'columns' }, table.root, form.root));
  const view = h('main', { id: 'main', tabindex: -1 });
  const link = (href: string, label: string) => h('a', { href, 'data-route': href }, label);
  const nav = h('nav', { 'aria-label': 'Sections' }, link('#/', 'Tasks'), link('#/workers', 'Workers'), link('#/queues', 'Queues'), link('#/flows', 'Flows'), link('#/schedules', 'Schedules'), h('a', { href: '/graphql' }, 'GraphiQL'));
  fill(
    app,
    h('a', { class: 'skip', href: '#main', onClick: (e: Event) => (e.preventDefault(), view.focus()) }, 'Skip to content'),
    h(
      'header',
      null,
      h('h1', null, h('a', { href: '#/' }, 'Task executor')),
      nav,
      h(
        'div',
        { class: 'header-end' },
        status.indicator,
        currentKey() && h('button', { type: 'button', class: 'link', onClick: () => (forgetKey(), location.reload()) }, 'Forget key'),
      ),
    ),
    status.banner,
    view,
  );

  let current: { root: HTMLElement; focus(): void; dispose(): void } | undefined;
  const route = () => {
    current?.dispose();
    current = undefined;
    const hash = location.hash.replace(/^#/, '') || '/';
    const taskMatch = /^\/tasks\/([^/]+)$/.exec(hash);
    const flowMatch = /^\/flows\/([^/]+)$/.exec(hash);
    const section = taskMatch ? '#/' : flowMatch ? '#/flows' : ['/workers', '/queues', '/flows', '/schedules'].includes(hash) ? `#${hash}` : '#/';
    nav.querySelectorAll('a[data-route]').forEach((a) => a.toggleAttribute('aria-current', a.getAttribute('data-route') === section));
    if (taskMatch) current = taskPage(decodeURIComponent(taskMatch[1]), client, hub!);
    else if (hash === '/workers') current = workersView(client, hub!);
    else if (hash === '/queues') current = queuesView(client, hub!);
    else if (hash === '/flows') current = flowsView(hub!);
    else if (hash === '/schedules') current = schedulesView(hub!);
    else if (flowMatch) current = flowPage(decodeURIComponent(flowMatch[1]), client);
    else {
      // Home: a filter in the hash is applied; a bare #/ (the nav link) keeps the current one.
      const wanted = filterInHash();
      const shown = table.filter();
      if (wanted && (wanted.status !== shown.status || wanted.kind !== shown.kind)) table.setFilter(wanted);
      else if (!wanted) history.replaceState(null, '', hashOf(shown));
    }
    fill(view, current ? current.root : home);
    const titles: Record<string, string> = { '/workers': 'Workers', '/queues': 'Queues', '/flows': 'Flows', '/schedules': 'Schedules' };
    document.title = taskMatch
      ? `Task #${taskMatch[1]} · Task executor`
      : flowMatch
        ? `Flow #${flowMatch[1]} · Task executor`
        : `${titles[hash] ?? 'Tasks'} · Task executor`;
    current?.focus();
  };
  window.addEventListener('hashchange', route);
  route();
}

void main();
