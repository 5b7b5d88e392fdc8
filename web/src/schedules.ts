// The schedules (#/schedules): each with its cron, zone, kind and queue, when it ticks next, and the
// task its last tick made, read again as tasks change (a tick makes one) and after each command;
// pause and resume act for every process at once.
import { describeError, gql } from './api';
import { coalesce, fill, h } from './dom';
import type { EventHub } from './events';
import { statusBadge } from './format';
import { PauseScheduleDocument, ResumeScheduleDocument, SchedulesDocument, type ScheduleFieldsFragment } from './graphql/generated';

type Schedule = ScheduleFieldsFragment;

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '–');

export function schedulesView(hub: EventHub) {
  const list = h('div', { class: 'schedules' }, h('p', { class: 'muted' }, 'Loading…'));
  const outcome = h('div', { role: 'status', 'aria-live': 'polite' });
  const root = h('section', { 'aria-labelledby': 'schedules-heading' }, h('h2', { id: 'schedules-heading', tabindex: -1 }, 'Schedules'), outcome, list);

  async function toggle(s: Schedule) {
    try {
      if (s.paused) await gql(ResumeScheduleDocument, { name: s.name });
      else await gql(PauseScheduleDocument, { name: s.name });
      fill(outcome, h('p', { class: 'ok' }, `${s.name} ${s.paused ? 'resumed' : 'paused'}.`));
    } catch (error) {
      fill(outcome, h('p', { class: 'error', role: 'alert' }, describeError(error)));
    }
    await load();
  }

  const row = (s: Schedule) =>
    h(
      'tr',
      { 'data-schedule': s.name },
      h('td', null, s.name),
      h('td', null, h('code', null, s.cron), ` ${s.timezone}`),
      h('td', null, `${s.kind} in ${s.queue}`),
      h('td', { 'data-field': 'next' }, s.paused ? 'paused' : when(s.nextRunAt)),
      h('td', null, when(s.lastRunAt), s.lastTask && [' ', h('a', { href: `#/tasks/${s.lastTask.id}` }, `#${s.lastTask.id}`), ' ', statusBadge(s.lastTask.status)]),
      h('td', null, h('button', { type: 'button', onClick: () => void toggle(s) }, s.paused ? 'Resume' : 'Pause')),
    );

  async function load() {
    try {
      const { schedules } = await gql(SchedulesDocument);
      if (schedules.length === 0) return fill(list, h('p', { class: 'empty-state' }, 'No schedules yet: upsertSchedule or SCHEDULES_FILE declares them.'));
      const head = ['Schedule', 'Cron', 'Makes', 'Next tick', 'Last tick', ''].map((c) => h('th', { scope: 'col' }, c));
      fill(list, h('table', null, h('thead', null, h('tr', null, ...head)), h('tbody', null, schedules.map(row))));
    } catch (error) {
      fill(list, h('p', { class: 'error', role: 'alert' }, `Schedules unavailable: ${describeError(error)}`));
    }
  }
  const reload = coalesce(() => void load(), 500);
  const off = hub.onEvent(reload);
  const offResync = hub.onResync(reload);
  void load();
  return { root, focus: () => root.querySelector<HTMLElement>('#schedules-heading')?.focus(), dispose: () => (off(), offResync()) };
}
