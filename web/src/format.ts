// How times, durations, statuses and progress read on the page.
import { h } from './dom';
import type { Task, TaskStatus } from './types';

export const STATUSES: TaskStatus[] = ['WAITING', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];
export const FINISHED: TaskStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];

export const statusLabel = (status: string) => status.charAt(0) + status.slice(1).toLowerCase().replace('_', ' ');

export function statusBadge(status: TaskStatus): HTMLElement {
  return h('span', { class: `badge status-${status.toLowerCase()}`, 'data-status': status }, statusLabel(status));
}

/** 850 ms, 12.3 s, 4 min 05 s, 3 h 20 min, 2 d 4 h: precise when short, coarse when long. */
export function duration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export const age = (iso: string) => duration(Date.now() - Date.parse(iso));

/** The latest attempt's run time: still counting while it runs. */
export function runTime(task: Pick<Task, 'startedAt' | 'finishedAt' | 'status'>): string {
  if (!task.startedAt) return '–';
  const end = task.finishedAt ? Date.parse(task.finishedAt) : task.status === 'RUNNING' ? Date.now() : undefined;
  return end === undefined ? '–' : duration(end - Date.parse(task.startedAt));
}

export const time = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '–');

/** A completed task is full even if its handler never reported progress. */
export const shownProgress = (task: Pick<Task, 'progress' | 'status'>) => (task.status === 'COMPLETED' ? 1 : Math.max(0, Math.min(1, task.progress ?? 0)));

export function progressBar(task: Pick<Task, 'progress' | 'status'>, label: string): HTMLElement {
  const value = shownProgress(task);
  const percent = Math.round(value * 100);
  const bar = h('div', { class: 'progress-fill' });
  // Set through the CSSOM: the page's Content-Security-Policy refuses style attributes.
  bar.style.width = `${percent}%`;
  return h(
    'div',
    { class: `progress status-${task.status.toLowerCase()}`, role: 'progressbar', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent },
    bar,
    h('span', { class: 'progress-text' }, `${percent}%`),
  );
}

export const json = (value: unknown) => JSON.stringify(value, null, 2);

/** What holds a pending task back, in words. */
export function waitingForLabel(reason: string): string {
  const labels: Record<string, string> = {
    QUEUE_PAUSED: 'queue paused',
    QUEUE_CONCURRENCY: 'queue at its concurrency',
    KEY_CONCURRENCY: 'its key at its concurrency',
    RATE_LIMIT: 'rate limit',
  };
  return labels[reason] ?? reason;
}
