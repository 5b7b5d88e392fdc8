// The page's single stream of every task event, shared by the views that follow all tasks (the
// table and the counts). It remembers the cursor of the last event seen: the subscription's
// variables are read each time graphql-ws (re)sends it, so after a reconnect the server replays
// exactly the events missed, none twice. A stream the server ended (a subscriber that fell too far
// behind, a pruned cursor) is started again, and the views are told to re-read what they show.
import type { Client } from 'graphql-ws';
import { ALL_EVENTS } from './documents';
import type { TaskEvent } from './types';

type Listener = (event: TaskEvent) => void;

export interface EventHub {
  onEvent(listener: Listener): () => void;
  /** After a reconnect or a restarted stream: re-read, the events alone may not tell everything. */
  onResync(listener: () => void): () => void;
  resync(): void;
  lastCursor(): string | undefined;
}

export function followAllEvents(client: Client): EventHub {
  const listeners = new Set<Listener>();
  const resyncs = new Set<() => void>();
  let cursor: string | undefined;
  const resync = () => resyncs.forEach((fn) => fn());

  const start = () => {
    const payload = {
      query: ALL_EVENTS,
      get variables() {
        return cursor ? { after: cursor } : {};
      },
    };
    client.subscribe<{ taskEvents: TaskEvent }>(payload, {
      next: (result) => {
        const event = result.data?.taskEvents;
        if (event) {
          cursor = event.cursor;
          // Shown on the page's root element: where the page stands in the event log, at a glance
          // in the browser's inspector (and for the end-to-end test).
          document.documentElement.dataset.cursor = cursor;
          listeners.forEach((fn) => fn(event));
        }
        // CURSOR_EXPIRED means the events after our cursor are gone: start from now and re-read.
        if (result.errors?.some((e) => e.extensions?.code === 'CURSOR_EXPIRED')) cursor = undefined;
      },
      // A refused key (4403) is final until the page asks for another; anything else is retried.
      error: (error) => {
        if ((error as CloseEvent)?.code !== 4403) restart();
      },
      complete: () => restart(),
    });
  };
  const restart = () => {
    setTimeout(() => {
      start();
      resync();
    }, 1000);
  };
  start();

  return {
    onEvent: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
    onResync: (fn) => (resyncs.add(fn), () => resyncs.delete(fn)),
    resync,
    lastCursor: () => cursor,
  };
}
