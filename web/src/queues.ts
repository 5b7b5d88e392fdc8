// The queues: each with its rules (paused, concurrency, concurrency per key, rate) and its tasks
// pending, held back by a rule and running, live over queueUpdated. Pause and resume, and a form
// for the limits (an empty field clears a limit), change them for every process at once.
import type { Client } from 'graphql-ws';
import { describeError, gql } from './api';
import { fill, h } from './dom';
import { liveCards } from './live-cards';
import {
  PauseQueueDocument, QueuesDocument, QueueUpdatedDocument, ResumeQueueDocument, SetQueueLimitsDocument, type QueueUpdatedSubscription,
} from './graphql/generated';
import type { EventHub } from './events';
import type { Queue } from './types';

/** A limit field: empty clears the limit, a whole number 0 or more sets it. */
function limitOf(input: HTMLInputElement, what: string, min = 0): number | null {
  if (input.value.trim() === '') return null;
  const value = Number(input.value);
  if (!Number.isInteger(value) || value < min) throw new Error(`${what} must be a whole number, ${min} or more, or empty for no limit.`);
  return value;
}

export function queuesView(client: Client, hub: EventHub) {
  const messages = new Map<string, HTMLElement>();
  const list = h('div', { class: 'queues' });
  const root = h('section', { class: 'queues-page', 'aria-labelledby': 'queues-heading' }, h('h2', { id: 'queues-heading', tabindex: -1 }, 'Queues'), list);

  function card(q: Queue) {
    const message = messages.get(q.name) ?? h('p', { class: 'outcome', role: 'status', 'aria-live': 'polite' });
    messages.set(q.name, message);
    const id = (field: string) => `${field}-${q.name}`;
    const field = (name: string, value: number | null | undefined) =>
      h('input', { id: id(name), type: 'number', min: name === 'period' ? 1 : 0, step: 1, value: value == null ? '' : String(value), inputmode: 'numeric' });
    const concurrency = field('concurrency', q.concurrency);
    const keyConcurrency = field('key-concurrency', q.keyConcurrency);
    const rate = field('rate', q.rateLimit?.limit);
    const period = field('period', q.rateLimit?.periodSeconds ?? 60);
    const run = async (command: () => Promise<Queue>, done: string) => {
      try {
        cards.put(await command());
        fill(message, h('span', { class: 'ok' }, done));
      } catch (error) {
        fill(message, h('span', { class: 'error', role: 'alert' }, describeError(error)));
      }
    };
    const save = (event: Event) => {
      event.preventDefault();
      try {
        const limit = limitOf(rate, 'Starts per period');
        const variables = {
          name: q.name,
          concurrency: limitOf(concurrency, 'Concurrency'),
          keyConcurrency: limitOf(keyConcurrency, 'Per key'),
          rateLimit: limit === null ? null : { limit, periodSeconds: limitOf(period, 'The period', 1) ?? 60 },
        };
        void run(async () => (await gql(SetQueueLimitsDocument, variables)).setQueueLimits, 'Limits saved.');
      } catch (error) {
        fill(message, h('span', { class: 'error', role: 'alert' }, (error as Error).message));
      }
    };
    const rateText = q.rateLimit ? `${q.rateLimit.limit} per ${q.rateLimit.periodSeconds} s` : 'none';
    return h(
      'article',
      { class: `panel queue${q.paused ? ' state-paused' : ''}`, 'data-queue': q.name, 'aria-label': `Queue ${q.name}` },
      h('div', { class: 'panel-head' }, h('h3', null, q.name), h('span', { class: `badge ${q.paused ? 'state-paused' : 'state-active'}` }, q.paused ? 'Paused' : 'Active')),
      h(
        'dl',
        null,
        h('dt', null, 'Pending'),
        h('dd', { 'data-field': 'pending' }, String(q.pending)),
        h('dt', null, 'Held by a limit'),
        h('dd', { 'data-field': 'held' }, String(q.waitingForLimit)),
        h('dt', null, 'Running'),
        h('dd', { 'data-field': 'running' }, q.concurrency === null ? String(q.running) : `${q.running} of ${q.concurrency}`),
        h('dt', null, 'Per key'),
        h('dd', null, String(q.keyConcurrency ?? 1)),
        h('dt', null, 'Rate'),
        h('dd', { 'data-field': 'rate' }, rateText),
      ),
      h(
        'form',
        { class: 'limits', novalidate: true, onSubmit: save },
        h('label', { for: id('concurrency') }, 'Concurrency'),
        concurrency,
        h('label', { for: id('key-concurrency') }, 'Per key'),
        keyConcurrency,
        h('label', { for: id('rate') }, 'Starts'),
        rate,
        h('label', { for: id('period') }, 'per seconds'),
        period,
        h('button', { type: 'submit' }, 'Save'),
        h(
          'button',
          {
            type: 'button',
            onClick: () =>
              void run(
                async () => (q.paused ? (await gql(ResumeQueueDocument, { name: q.name })).resumeQueue : (await gql(PauseQueueDocument, { name: q.name })).pauseQueue),
                q.paused ? 'Resumed.' : 'Paused.',
              ),
          },
          q.paused ? 'Resume' : 'Pause',
        ),
      ),
      message,
    );
  }

  const cards = liveCards<Queue>(client, hub, {
    title: 'Queues',
    empty: 'No queues yet: a queue exists once a task names it or its limits are set.',
    list,
    load: async () => (await gql(QueuesDocument)).queues,
    live: { query: QueueUpdatedDocument.toString(), item: (data) => (data as QueueUpdatedSubscription).queueUpdated },
    key: (q) => q.name,
    order: (a, b) => a.name.localeCompare(b.name),
    card,
  });
  return {
    root,
    focus: () => root.querySelector<HTMLElement>('#queues-heading')?.focus(),
    dispose: cards.dispose,
  };
}
