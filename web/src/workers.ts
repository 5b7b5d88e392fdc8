// The workers: each server process and external worker with its state, concurrency and running
// count, live over workerUpdated. Pause, resume and a concurrency field steer each one. A server
// without the workers API (or a key without its scope) gets a clear "unavailable" state instead.
import type { Client } from 'graphql-ws';
import { describeError, gql } from './api';
import { fill, h } from './dom';
import { liveCards } from './live-cards';
import { PauseWorkerDocument, ResumeWorkerDocument, SetConcurrencyDocument, WorkerUpdatedDocument, WorkersDocument } from './graphql/generated';
import type { EventHub } from './events';
import { age, statusLabel } from './format';
import type { WorkerUpdatedSubscription } from './graphql/generated';
import type { Worker } from './types';

export function workersView(client: Client, hub: EventHub) {
  const messages = new Map<string, HTMLElement>();
  const list = h('div', { class: 'workers' });
  const root = h('section', { class: 'workers-page', 'aria-labelledby': 'workers-heading' }, h('h2', { id: 'workers-heading', tabindex: -1 }, 'Workers'), list);

  function card(w: Worker) {
    const message = messages.get(w.id) ?? h('p', { class: 'outcome', role: 'status', 'aria-live': 'polite' });
    messages.set(w.id, message);
    const concurrency = h('input', { id: `concurrency-${w.id}`, type: 'number', min: 0, step: 1, value: String(w.concurrency), inputmode: 'numeric' });
    const steer = async (command: () => Promise<Worker>, done: string) => {
      try {
        const worker = await command();
        fill(message, h('span', { class: 'ok' }, done));
        cards.put(worker);
      } catch (error) {
        fill(message, h('span', { class: 'error', role: 'alert' }, describeError(error)));
      }
    };
    const paused = w.state === 'PAUSED';
    return h(
      'article',
      { class: `panel worker state-${w.state.toLowerCase()}`, 'data-worker-id': w.id, 'aria-label': `Worker ${w.name}` },
      h('div', { class: 'panel-head' }, h('h3', null, w.name), h('span', { class: `badge worker-state state-${w.state.toLowerCase()}` }, statusLabel(w.state))),
      h(
        'dl',
        null,
        h('dt', null, 'Running'),
        h('dd', { 'data-field': 'running' }, `${w.running} of ${w.concurrency}`),
        h('dt', null, 'Processed'),
        h('dd', null, `${w.processed} (${w.succeeded} ok, ${w.failed} failed)`),
        h('dt', null, 'Kind'),
        h('dd', null, `${w.kind === 'EMBEDDED' ? 'In the server' : 'External'}${w.host ? ` on ${w.host}` : ''}${w.pid ? `, pid ${w.pid}` : ''}`),
        h('dt', null, 'Runs'),
        h('dd', null, w.kinds.length ? w.kinds.join(', ') : 'every kind'),
        h('dt', null, 'Up for'),
        h('dd', null, age(w.startedAt)),
        h('dt', null, 'Last heartbeat'),
        h('dd', null, `${age(w.lastHeartbeatAt)} ago`),
      ),
      w.state !== 'OFFLINE' &&
        h(
          'form',
          {
            class: 'steer',
            // Our own message names the rule; the browser's bubble would vanish at the next update.
            novalidate: true,
            onSubmit: (event: Event) => {
              event.preventDefault();
              const value = Number(concurrency.value);
              if (!Number.isInteger(value) || value < 0) return fill(message, h('span', { class: 'error' }, 'Concurrency must be a whole number, 0 or more.'));
              void steer(async () => (await gql(SetConcurrencyDocument, { id: w.id, concurrency: value })).setWorkerConcurrency, `Concurrency set to ${value}.`);
            },
          },
          h('label', { for: `concurrency-${w.id}` }, 'Concurrency'),
          concurrency,
          h('button', { type: 'submit' }, 'Set'),
          h(
            'button',
            { type: 'button', onClick: () => void steer(
                async () => (paused ? (await gql(ResumeWorkerDocument, { id: w.id })).resumeWorker : (await gql(PauseWorkerDocument, { id: w.id })).pauseWorker),
                paused ? 'Resumed.' : 'Paused.',
              ) },
            paused ? 'Resume' : 'Pause',
          ),
        ),
      message,
    );
  }

  const cards = liveCards<Worker>(client, hub, {
    title: 'Workers',
    empty: 'No workers have registered.',
    list,
    load: async () => (await gql(WorkersDocument)).workers,
    live: { query: WorkerUpdatedDocument.toString(), item: (data) => (data as WorkerUpdatedSubscription).workerUpdated },
    key: (w) => w.id,
    // Offline workers last.
    order: (a, b) => (a.state === 'OFFLINE' ? 1 : 0) - (b.state === 'OFFLINE' ? 1 : 0) || a.name.localeCompare(b.name),
    card,
  });
  return {
    root,
    focus: () => root.querySelector<HTMLElement>('#workers-heading')?.focus(),
    dispose: cards.dispose,
  };
}
