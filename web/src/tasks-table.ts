// The live task list: newest first, filtered by status and kind, paged with the connection's
// cursors. Rows change in place as events arrive; a task created while the first page is shown
// appears at its top (on a later page, a notice offers the newest); a task that enters or leaves
// the filter makes the page be read again. After a reconnect too, so it equals the database.
import { describeError, gql } from './api';
import { coalesce, fill, h } from './dom';
import { TasksDocument } from './graphql/generated';
import type { EventHub } from './events';
import { age, progressBar, runTime, STATUSES, statusBadge, statusLabel, waitingForLabel } from './format';
import type { PageInfo, Task, TaskStatus } from './types';

const PAGE_SIZE = 20;

type Page = { first: number; after?: string } | { last: number; before: string };

export interface Filter {
  status?: TaskStatus;
  kind?: string;
}

export function tasksTable(hub: EventHub, onFilterChange: (filter: Filter) => void, initial: Filter = {}) {
  const filter: Filter = { ...initial };
  let page: Page = { first: PAGE_SIZE };
  let tasks: Task[] = [];
  let pageInfo: PageInfo | undefined;
  let totalCount = 0;
  let newer = 0; // tasks created since this page was read, when they cannot be shown on it
  let problem: string | undefined;
  let loading = false;
  let kinds: string[] = [];

  const statusSelect = h(
    'select',
    { id: 'filter-status', onChange: () => setFilter({ ...filter, status: (statusSelect.value || undefined) as TaskStatus | undefined }) },
    h('option', { value: '' }, 'All statuses'),
    STATUSES.map((s) => h('option', { value: s }, statusLabel(s))),
  );
  const kindSelect = h('select', { id: 'filter-kind', onChange: () => setFilter({ ...filter, kind: kindSelect.value || undefined }) });
  const body = h('tbody');
  const summary = h('p', { class: 'muted', 'aria-live': 'polite' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  const notice = h('div', { class: 'notice-slot' });
  const table = h(
    'table',
    { class: 'tasks' },
    h('caption', { class: 'visually-hidden' }, 'Tasks, newest first'),
    h(
      'thead',
      null,
      h('tr', null, ['Task', 'Status', 'Kind', 'Progress', 'Attempts', 'Age', 'Run time'].map((label) => h('th', { scope: 'col' }, label))),
    ),
    body,
  );
  const root = h(
    'section',
    { class: 'panel tasks-panel', 'aria-labelledby': 'tasks-heading' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'tasks-heading' }, 'Tasks'), summary),
    h(
      'div',
      { class: 'filters' },
      h('label', { for: 'filter-status' }, 'Status'),
      statusSelect,
      h('label', { for: 'filter-kind' }, 'Kind'),
      kindSelect,
    ),
    notice,
    h('div', { class: 'table-wrap' }, table),
    pager,
  );

  const matches = (task: Task) => (!filter.status || task.status === filter.status) && (!filter.kind || task.kind === filter.kind);
  const onFirstPage = () => 'first' in page && !page.after;

  function row(task: Task): HTMLTableRowElement {
    return h(
      'tr',
      { 'data-task-id': task.id, 'data-status': task.status },
      h('th', { scope: 'row' }, h('a', { href: `#/tasks/${task.id}`, 'aria-label': `Task ${task.id}` }, `#${task.id}`)),
      h('td', null, statusBadge(task.status), task.waitingFor && h('span', { class: 'waiting-for muted', title: 'Held back by a limit of its queue' }, ` ${waitingForLabel(task.waitingFor)}`)),
      h('td', { class: 'kind' }, task.kind),
      h('td', { class: 'progress-cell' }, progressBar(task, `Progress of task ${task.id}`)),
      h('td', { class: 'num' }, `${task.attempts}/${task.maxAttempts}`),
      h('td', { class: 'num age', title: new Date(task.createdAt).toLocaleString() }, age(task.createdAt)),
      h('td', { class: 'num run-time' }, runTime(task)),
    );
  }

  function render() {
    fill(kindSelect, h('option', { value: '' }, 'All kinds'), kinds.map((k) => h('option', { value: k, selected: k === filter.kind }, k)));
    statusSelect.value = filter.status ?? '';
    fill(
      notice,
      problem &&
        h('div', { class: 'error', role: 'alert' }, `Could not load tasks: ${problem} `, h('button', { type: 'button', onClick: () => void load() }, 'Try again')),
      newer > 0 &&
        !onFirstPage() &&
        h('div', { class: 'notice' }, `${newer} new ${newer === 1 ? 'task' : 'tasks'} since this page was read. `, h('button', { type: 'button', onClick: () => go({ first: PAGE_SIZE }) }, 'Show newest')),
    );
    if (tasks.length === 0) {
      const empty = loading ? 'Loading…' : filter.status || filter.kind ? 'No tasks match this filter.' : 'No tasks yet. Create one with the form.';
      fill(body, h('tr', { class: 'empty' }, h('td', { colspan: 7 }, empty)));
    } else fill(body, tasks.map(row));
    summary.textContent = loading && !pageInfo ? '' : `${totalCount} ${totalCount === 1 ? 'task' : 'tasks'}${filter.status || filter.kind ? ' match' : ''}`;
    fill(
      pager,
      h('button', { type: 'button', disabled: !pageInfo?.hasPreviousPage && !(newer > 0 && !onFirstPage()), onClick: () => go({ first: PAGE_SIZE }) }, 'Newest'),
      h('button', { type: 'button', disabled: !pageInfo?.hasPreviousPage, onClick: () => pageInfo?.startCursor && go({ last: PAGE_SIZE, before: pageInfo.startCursor }) }, '‹ Newer'),
      h('button', { type: 'button', disabled: !pageInfo?.hasNextPage, onClick: () => pageInfo?.endCursor && go({ first: PAGE_SIZE, after: pageInfo.endCursor }) }, 'Older ›'),
    );
  }

  let generation = 0;
  /** Reads the current page; `quiet` keeps the rows on screen meanwhile (a refresh, not a new page). */
  async function load(quiet = false) {
    const mine = ++generation;
    if (!quiet) {
      loading = true;
      render();
    }
    try {
      const variables = { ...page, status: filter.status ? [filter.status] : undefined, kind: filter.kind ? [filter.kind] : undefined };
      const { tasks: connection } = await gql(TasksDocument, variables);
      if (mine !== generation) return; // a newer request (another page or filter) wins
      ({ totalCount, pageInfo } = connection);
      tasks = connection.nodes;
      problem = undefined;
      newer = 0;
    } catch (error) {
      if (mine !== generation) return;
      problem = describeError(error);
    }
    loading = false;
    render();
  }

  function go(next: Page) {
    page = next;
    void load();
  }

  function setFilter(next: Filter) {
    filter.status = next.status;
    filter.kind = next.kind;
    page = { first: PAGE_SIZE };
    onFilterChange({ ...filter });
    void load();
  }

  /** Replaces one row's cells in place, keeping focus on its link if it had it. */
  function update(task: Task) {
    const index = tasks.findIndex((t) => t.id === task.id);
    if (index < 0) return false;
    tasks[index] = task;
    const old = body.querySelector(`tr[data-task-id="${task.id}"]`);
    if (old) {
      const hadFocus = old.contains(document.activeElement);
      const fresh = row(task);
      old.replaceWith(fresh);
      if (hadFocus) fresh.querySelector('a')?.focus();
    }
    return true;
  }

  // Every change shows at once in its row. When a change moves a task into or out of the filter
  // (a task fails while the table shows FAILED ones), or a new task lands on the first page, the
  // page is read again soon after, so its rows and count settle on the database's. Coalesced: a
  // burst of events costs one read.
  const refresh = coalesce(() => void load(true), 500);
  /** Whether a task with this id would sit on this page (ids fall newest first down the pages). */
  const withinPage = (id: string) => {
    if (tasks.length === 0) return true;
    const n = Number(id);
    return (onFirstPage() || n <= Number(tasks[0].id)) && (!pageInfo?.hasNextPage || n >= Number(tasks[tasks.length - 1].id));
  };
  hub.onEvent((event) => {
    const shown = update(event.task);
    const belongs = matches(event.task);
    if (event.type === 'created' && belongs) {
      if (!onFirstPage()) {
        // Newer than every row here: it belongs on the first page, which a notice offers.
        newer++;
        return render();
      }
      if (!shown && !loading) {
        totalCount++;
        tasks.unshift(event.task);
        if (tasks.length > PAGE_SIZE) {
          tasks.length = PAGE_SIZE;
          if (pageInfo) pageInfo.hasNextPage = true;
        }
        render();
      }
      return refresh();
    }
    if (shown ? !belongs : belongs && withinPage(event.task.id)) refresh();
  });
  hub.onResync(() => void load());

  // Ages and running times grow while nobody acts: refresh the text each second (no request).
  setInterval(() => {
    for (const tr of body.querySelectorAll<HTMLTableRowElement>('tr[data-task-id]')) {
      const task = tasks.find((t) => t.id === tr.dataset.taskId);
      if (!task) continue;
      tr.querySelector('.age')!.textContent = age(task.createdAt);
      tr.querySelector('.run-time')!.textContent = runTime(task);
    }
  }, 1000);

  void load();
  return {
    root,
    filter: (): Filter => ({ ...filter }),
    filterStatus: () => filter.status,
    setFilter,
    setStatus: (status: TaskStatus | undefined) => setFilter({ ...filter, status }),
    setKinds(list: string[]) {
      kinds = list;
      render();
    },
  };
}
