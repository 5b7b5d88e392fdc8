// One task: its state, input, result or error, timings, progress and log lines, all live. Its own
// subscription starts from "0", so the server replays the task's whole history (every log line
// written so far) and then continues live; the cursor it has reached is re-sent after a reconnect.
import type { Client } from 'graphql-ws';
import { ApiError, describeError, gql } from './api';
import { fill, h } from './dom';
import { CancelDocument, RetryDocument, TaskDocument, TaskEventsDocument } from './graphql/generated';
import { followEvents, type EventHub } from './events';
import { duration, FINISHED, json, progressBar, runTime, statusBadge, time, waitingForLabel } from './format';
import type { TaskDetail, TaskDetailEvent } from './types';

// Events worth a line in the history; progress and log lines have their own places.
const QUIET = new Set(['progress', 'log']);

export function taskPage(id: string, client: Client, hub: EventHub) {
  let task: TaskDetail | null | undefined;
  let problem: string | undefined;
  let cursor = '0';
  const seen = new Set<string>();

  const details = h('div', { class: 'task-details' });
  const outcome = h('div', { class: 'outcome', role: 'status', 'aria-live': 'polite' });
  const stream = h('div');
  const cancelButton = h('button', { type: 'button', class: 'danger', onClick: () => act('cancel') }, 'Cancel');
  const retryButton = h('button', { type: 'button', onClick: () => act('retry') }, 'Retry');
  const logs = h('ol', { class: 'logs', 'aria-live': 'polite', 'aria-label': 'Log lines' });
  const history = h('ol', { class: 'history' });
  const root = h(
    'article',
    { class: 'task-page' },
    h('p', null, h('a', { href: '#/' }, '← All tasks')),
    h('div', { class: 'panel-head' }, h('h2', { id: 'task-heading', tabindex: -1 }, `Task #${id}`), h('div', { class: 'actions' }, cancelButton, retryButton)),
    outcome,
    stream,
    details,
    h('section', { class: 'panel', 'aria-labelledby': 'logs-heading' }, h('h3', { id: 'logs-heading' }, 'Log'), logs),
    h('section', { class: 'panel', 'aria-labelledby': 'history-heading' }, h('h3', { id: 'history-heading' }, 'History'), history),
  );

  function render() {
    if (problem && task === undefined) return fill(details, h('p', { class: 'error', role: 'alert' }, `Could not load the task: ${problem}`));
    if (task === undefined) return fill(details, h('p', { class: 'muted' }, 'Loading…'));
    if (task === null) {
      cancelButton.hidden = retryButton.hidden = true;
      return fill(details, h('p', { class: 'empty-state' }, `There is no task #${id}. `, h('a', { href: '#/' }, 'Back to all tasks')));
    }
    const t = task;
    cancelButton.disabled = FINISHED.includes(t.status);
    retryButton.disabled = !['FAILED', 'CANCELLED', 'TIMED_OUT'].includes(t.status);
    const wait = t.startedAt ? duration(Date.parse(t.startedAt) - Date.parse(t.runAt > t.createdAt ? t.runAt : t.createdAt)) : '–';
    const item = (label: string, value: string | Node) => [h('dt', null, label), h('dd', null, value)];
    fill(
      details,
      h(
        'section',
        { class: 'panel summary' },
        h('div', { class: 'status-line' }, statusBadge(t.status), h('span', { class: 'kind' }, t.kind), t.progressMessage && h('span', { class: 'muted' }, t.progressMessage)),
        progressBar(t, `Progress of task ${t.id}`),
        h(
          'dl',
          null,
          item('Queue', h('a', { href: '#/queues', title: 'All queues' }, t.queue)),
          t.waitingFor && item('Waiting for', h('span', { 'data-field': 'waiting-for' }, waitingForLabel(t.waitingFor))),
          t.concurrencyKey && item('Concurrency key', t.concurrencyKey),
          t.uniqueKey && item('Unique key', t.uniqueKey),
          item('Attempts', `${t.attempts} of ${t.maxAttempts}`),
          item('Priority', String(t.priority)),
          item('Created', time(t.createdAt)),
          item('Run at', time(t.runAt)),
          item('Started', time(t.startedAt)),
          item('Finished', time(t.finishedAt)),
          item('Waited', wait),
          item('Run time', runTime(t)),
          item('Timeout', duration(t.timeoutSeconds * 1000)),
          t.idempotencyKey && item('Idempotency key', t.idempotencyKey),
          t.workerId && item('Worker', h('a', { href: '#/workers', title: 'All workers' }, t.workerId)),
        ),
      ),
      h('section', { class: 'panel' }, h('h3', null, 'Input'), h('pre', { class: 'json', 'data-field': 'input' }, json(t.input))),
      t.error && h('section', { class: 'panel failure' }, h('h3', null, 'Error'), h('p', { 'data-field': 'error' }, h('code', null, t.error.code), ' ', t.error.message)),
      t.status === 'COMPLETED' && h('section', { class: 'panel' }, h('h3', null, 'Result'), h('pre', { class: 'json', 'data-field': 'result' }, json(t.result))),
    );
  }

  async function load() {
    try {
      task = (await gql(TaskDocument, { id })).task;
      problem = undefined;
    } catch (error) {
      problem = describeError(error);
    }
    render();
  }

  async function act(what: 'cancel' | 'retry') {
    const button = what === 'cancel' ? cancelButton : retryButton;
    button.disabled = true;
    fill(outcome);
    try {
      task = what === 'cancel' ? (await gql(CancelDocument, { id })).cancelTask.task : (await gql(RetryDocument, { id })).retryTask.task;
      fill(outcome, h('p', { class: 'ok' }, what === 'cancel' ? 'Cancelled.' : 'Queued to run again.'));
    } catch (error) {
      const message = error instanceof ApiError ? error.describe() : describeError(error);
      fill(outcome, h('p', { class: 'error', role: 'alert' }, `${what === 'cancel' ? 'Not cancelled' : 'Not retried'}: ${message}`));
    }
    render();
  }

  function onEvent(event: TaskDetailEvent) {
    cursor = event.cursor;
    // A replay after a reconnect may overlap what was shown; each event is shown once.
    if (seen.has(event.cursor)) return;
    seen.add(event.cursor);
    task = event.task;
    if (event.type === 'log') {
      const data = (event.data ?? {}) as { level?: string; message?: string };
      logs.append(
        h(
          'li',
          { class: `log level-${data.level ?? 'info'}` },
          h('time', { datetime: event.at }, new Date(event.at).toLocaleTimeString()),
          h('span', { class: 'level' }, data.level ?? 'info'),
          h('span', { class: 'message' }, data.message ?? ''),
        ),
      );
    } else if (!QUIET.has(event.type)) {
      const error = (event.data as { error?: { code?: string; message?: string } } | null)?.error;
      const detail = error ? ` — ${error.code ?? 'ERROR'}: ${error.message ?? ''}` : '';
      history.append(h('li', null, h('time', { datetime: event.at }, new Date(event.at).toLocaleTimeString()), ` ${event.type.replace('_', ' ')}${detail}`));
    }
    render();
  }

  // Restarted from its cursor when the server ends it (a replay longer than MAX_BACKFILL, say).
  const stop = followEvents(client, {
    document: TaskEventsDocument,
    variables: () => ({ taskId: id, after: cursor }),
    onEvent,
    onRestart: () => void load(),
    onFail: (message) => fill(stream, h('p', { class: 'error', role: 'alert' }, `Live updates stopped: ${message}`)),
  });
  const offResync = hub.onResync(() => void load());
  const ticker = setInterval(() => task?.status === 'RUNNING' && render(), 1000);
  if (logs.childElementCount === 0) logs.setAttribute('data-empty', 'No log lines yet.');
  void load();
  render();

  return {
    root,
    focus: () => root.querySelector<HTMLElement>('#task-heading')?.focus(),
    dispose() {
      stop();
      offResync();
      clearInterval(ticker);
    },
  };
}
