// Event streams that never give up. Each remembers the cursor of the last event seen, and the
// subscription's variables are read each time graphql-ws (re)sends it: after a reconnect the server
// replays exactly the events missed, none twice. A stream the server ended (a subscriber that fell
// too far behind, a replay past MAX_BACKFILL, a pruned cursor) is started again from that cursor.
import type { Client } from 'graphql-ws';
import { EventsDocument, type TypedDocumentString } from './graphql/generated';
import type { TaskEvent } from './types';

// Errors that end a stream which may simply be started again from its cursor.
const RESUMABLE = new Set(['SUBSCRIBER_TOO_SLOW', 'BACKFILL_LIMIT', 'CURSOR_EXPIRED', 'INTERNAL_SERVER_ERROR']);

type EventsData = { taskEvents: { cursor: string } };

export interface FollowOptions<D extends EventsData, V> {
  document: TypedDocumentString<D, V>;
  /** Read at every (re)subscription: the cursor reached so far goes here. */
  variables(): V;
  onEvent(event: D['taskEvents']): void;
  /** The server ended the stream and it was started again; `expired`: the cursor was pruned. */
  onRestart?(expired: boolean): void;
  /** The stream was refused for good (a bad id, a missing scope, a refused key). */
  onFail?(message: string): void;
}

/** Follows a taskEvents subscription for as long as the page wants it; returns its stop. */
export function followEvents<D extends EventsData, V>(client: Client, options: FollowOptions<D, V>): () => void {
  let stopped = false;
  let stop = () => {};
  let lastCode: string | undefined;
  let failure: string | undefined;
  const start = () => {
    if (stopped) return;
    lastCode = failure = undefined;
    stop = client.subscribe<D>(
      {
        query: options.document.toString(),
        get variables() {
          return options.variables() as Record<string, unknown>;
        },
      },
      {
        next: (result) => {
          if (result.data?.taskEvents) options.onEvent(result.data.taskEvents);
          const error = result.errors?.[0];
          if (error) {
            lastCode = String(error.extensions?.code ?? 'ERROR');
            failure = `${lastCode}: ${error.message}`;
          }
        },
        error: (error) => {
          if (stopped) return;
          const first = Array.isArray(error) ? error[0] : undefined;
          options.onFail?.(first ? `${first.extensions?.code ?? 'ERROR'}: ${first.message}` : 'The server closed the connection');
        },
        complete: () => {
          if (stopped) return;
          if (lastCode && !RESUMABLE.has(lastCode)) return options.onFail?.(failure!);
          const expired = lastCode === 'CURSOR_EXPIRED';
          setTimeout(() => {
            if (stopped) return;
            start();
            options.onRestart?.(expired);
          }, 1000);
        },
      },
    );
  };
  start();
  return () => {
    stopped = true;
    stop();
  };
}

type Listener = (event: TaskEvent) => void;

export interface EventHub {
  onEvent(listener: Listener): () => void;
  /** After a reconnect or a restarted stream: re-read, the events alone may not tell everything. */
  onResync(listener: () => void): () => void;
  resync(): void;
}

/** The page's one stream of every task event, shared by the views that follow all tasks. */
export function followAllEvents(client: Client): EventHub {
  const listeners = new Set<Listener>();
  const resyncs = new Set<() => void>();
  let cursor: string | undefined;
  const resync = () => resyncs.forEach((fn) => fn());
  followEvents(client, {
    document: EventsDocument,
    variables: () => (cursor ? { after: cursor } : {}),
    onEvent: (event) => {
      cursor = event.cursor;
      // Shown on the page's root element: where the page stands in the event log, at a glance in
      // the browser's inspector (and for the end-to-end test).
      document.documentElement.dataset.cursor = cursor;
      listeners.forEach((fn) => fn(event));
    },
    onRestart: (expired) => {
      // The events after our cursor are gone: follow from now on, and re-read everything shown.
      if (expired) cursor = undefined;
      resync();
    },
  });
  return {
    onEvent: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
    onResync: (fn) => (resyncs.add(fn), () => resyncs.delete(fn)),
    resync,
  };
}
