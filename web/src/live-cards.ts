// A page of cards kept live: loaded once, then each item its subscription sends replaces its card.
// The workers and queues pages share it. A live update redraws the cards, so the focus, and a
// value being typed, stay where they were; a resync (the socket came back) loads everything again.
import type { Client } from 'graphql-ws';
import { describeError } from './api';
import { fill, h } from './dom';
import type { EventHub } from './events';

export interface LiveCards<T> {
  /** What the cards are of, for "Workers unavailable." */
  title: string;
  /** Shown when there is nothing to list. */
  empty: string;
  list: HTMLElement;
  load(): Promise<T[]>;
  /** The subscription's document and the item each of its results carries. */
  live: { query: string; item(data: unknown): T | undefined };
  key(item: T): string;
  order(a: T, b: T): number;
  card(item: T): HTMLElement;
}

export function liveCards<T>(client: Client, hub: EventHub, view: LiveCards<T>) {
  const items = new Map<string, T>();
  let problem: string | undefined;
  let loaded = false;
  let stop: (() => void) | undefined;

  function render() {
    const { list } = view;
    if (problem) {
      return fill(list, h('div', { class: 'panel empty-state', role: 'status' }, h('p', null, `${view.title} unavailable.`), h('p', { class: 'muted' }, problem)));
    }
    if (!loaded) return fill(list, h('p', { class: 'muted' }, 'Loading…'));
    if (items.size === 0) return fill(list, h('p', { class: 'empty-state' }, view.empty));
    const focused = document.activeElement as HTMLInputElement | null;
    const typing = focused?.tagName === 'INPUT' ? focused.value : undefined;
    fill(list, [...items.values()].sort(view.order).map(view.card));
    const again = focused?.id ? (document.getElementById(focused.id) as HTMLInputElement | null) : null;
    if (again) {
      if (typing !== undefined) again.value = typing;
      again.focus();
    }
  }

  function put(item: T) {
    items.set(view.key(item), item);
    render();
  }

  async function load() {
    try {
      const loadedItems = await view.load();
      items.clear();
      for (const item of loadedItems) items.set(view.key(item), item);
      problem = undefined;
      loaded = true;
      stop ??= client.subscribe({ query: view.live.query }, {
        next: (result) => {
          const item = result.data ? view.live.item(result.data) : undefined;
          if (item) put(item);
        },
        error: () => {},
        complete: () => {},
      });
    } catch (error) {
      problem = describeError(error);
    }
    render();
  }

  const offResync = hub.onResync(() => void load());
  void load();
  render();
  return {
    put,
    dispose() {
      stop?.();
      offResync();
    },
  };
}
