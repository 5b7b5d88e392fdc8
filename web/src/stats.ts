// Counts per status at the top of the task list. Each count is a button that filters the table by
// its status. Re-read after events that change a status, coalesced: a burst of events costs one
// query, and no timer asks the server for anything while nothing happens.
import { describeError, gql } from './api';
import { coalesce, fill, h } from './dom';
import { StatsDocument } from './graphql/generated';
import type { EventHub } from './events';
import { duration, STATUSES, statusLabel } from './format';
import type { Durations, TaskStats, TaskStatus } from './types';

const FIELD: Record<TaskStatus, keyof TaskStats> = {
  WAITING: 'waiting',
  PENDING: 'pending',
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TIMED_OUT: 'timedOut',
};
const QUIET_EVENTS = new Set(['progress', 'log']);

const percentiles = (d: Durations) => (d.p50Ms === null ? '–' : `p50 ${duration(d.p50Ms)}, p95 ${duration(d.p95Ms ?? d.p50Ms)}`);

/** The figures under the counts: how well and how fast the queue is doing. */
function figures(stats: TaskStats) {
  const figure = (label: string, value: string) => h('div', null, h('dt', null, label), h('dd', null, value));
  return h(
    'dl',
    { class: 'figures' },
    figure('Success rate', stats.successRate === null ? '–' : `${(stats.successRate * 100).toFixed(1)}%`),
    figure('Finished', `${stats.throughput.lastMinute} last minute, ${stats.throughput.lastHour} last hour`),
    figure('Queue wait', percentiles(stats.queueWait)),
    figure('Run time', percentiles(stats.runTime)),
  );
}

export function statsView(hub: EventHub, filterBy: (status: TaskStatus | undefined) => void, selected: () => TaskStatus | undefined) {
  const root = h('section', { class: 'stats', 'aria-label': 'Tasks per status' });
  let stats: TaskStats | undefined;
  let problem: string | undefined;

  const render = () => {
    if (problem && !stats) return fill(root, h('p', { class: 'error' }, `Counts unavailable: ${problem}`));
    const current = selected();
    const count = (status: TaskStatus | undefined) => (stats ? (status ? stats[FIELD[status]] : stats.total) : '…');
    const button = (status: TaskStatus | undefined) =>
      h(
        'button',
        {
          type: 'button',
          class: `stat ${status ? `status-${status.toLowerCase()}` : 'stat-total'}`,
          'aria-pressed': String(current === status),
          'data-stat': status ?? 'TOTAL',
          onClick: () => filterBy(current === status ? undefined : status),
        },
        h('span', { class: 'stat-count' }, String(count(status))),
        h('span', { class: 'stat-label' }, status ? statusLabel(status) : 'All'),
      );
    fill(root, h('div', { class: 'counts' }, button(undefined), STATUSES.map(button)), stats && figures(stats));
  };
  const load = async () => {
    try {
      stats = (await gql(StatsDocument)).taskStats;
      problem = undefined;
    } catch (error) {
      problem = describeError(error);
    }
    render();
  };
  const reload = coalesce(() => void load(), 250);
  hub.onEvent((event) => {
    if (!QUIET_EVENTS.has(event.type)) reload();
  });
  hub.onResync(reload);
  void load();
  render();
  return { root, render };
}
