// How the command-line client talks to the server: typed documents over HTTP POST, and one
// task's events over graphql-ws, resumed from the last cursor after a reconnect.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  CliFollowDocument, CliFollowFlowDocument, type CliFollowFlowSubscription, type CliFollowSubscription, type TypedDocumentString,
} from './generated.js';

/** A request the server refused (exit 2), or one the client refused before sending it. */
export class Refused extends Error {}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);

export function connection(url: string, apiKey: string | undefined) {
  const authorization = apiKey ? `Bearer ${apiKey}` : undefined;

  async function request<T, V>(document: TypedDocumentString<T, V>, variables?: V): Promise<T> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    if (body.errors?.length) {
      const [error] = body.errors;
      throw new Refused(`${error.message}${error.extensions?.code ? ` (${error.extensions.code})` : ''}`);
    }
    return body.data as T;
  }

  /** A graphql-ws client that reconnects by itself (its subscriptions resend their variables). */
  const socket = () =>
    createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 5, connectionParams: authorization ? { authorization } : undefined });

  /** Follows one task from its first event; prints progress and logs; the outcome decides the exit. */
  function follow(id: string): Promise<number> {
    const client = socket();
    let cursor = '0';
    return new Promise<number>((resolve, reject) => {
      const done = (code: number) => {
        void client.dispose();
        resolve(code);
      };
      client.subscribe<CliFollowSubscription>(
        {
          query: CliFollowDocument.toString(),
          // Read each time graphql-ws (re)sends the subscription: after a reconnect it resumes from
          // the last event seen instead of replaying the task's whole history.
          get variables() {
            return { id, after: cursor };
          },
        },
        {
          next: ({ data, errors }) => {
            if (errors?.length) return reject(new Refused(errors.map((e) => e.message).join('; ')));
            const event = data!.taskEvents;
            cursor = event.cursor;
            printEvent(event);
            // A terminal event the task has since left (it was retried) is history, not the outcome.
            const { task } = event;
            if (!TERMINAL.has(event.status) || task.status !== event.status) return;
            if (event.status === 'COMPLETED') {
              console.log(JSON.stringify(task.result ?? null, null, 2));
              done(0);
            } else {
              console.error(`task ${id} ${event.status}${task.error ? `: ${task.error.message} (${task.error.code})` : ''}`);
              done(1);
            }
          },
          error: (error) => reject(error instanceof Error ? error : new Error(String((error as { reason?: string })?.reason ?? error))),
          complete: () => {},
        },
      );
    });
  }

  /**
   * Follows every event of a flow, one line each on stderr, resuming from the last cursor after a
   * reconnect; resolves once the server ends the stream (the flow has finished).
   */
  function followFlow(flowId: string): Promise<void> {
    const client = socket();
    let cursor = '0';
    return new Promise<void>((resolve, reject) => {
      client.subscribe<CliFollowFlowSubscription>(
        {
          query: CliFollowFlowDocument.toString(),
          get variables() {
            return { flowId, after: cursor };
          },
        },
        {
          next: ({ data, errors }) => {
            if (errors?.length) return reject(new Refused(errors.map((e) => e.message).join('; ')));
            const event = data!.taskEvents;
            cursor = event.cursor;
            const error = event.task.error && event.status !== 'COMPLETED' ? `: ${event.task.error.message} (${event.task.error.code})` : '';
            console.error(`task ${event.taskId} (${event.task.kind}) ${event.type}${error}`);
          },
          error: (error) => reject(error instanceof Error ? error : new Error(String((error as { reason?: string })?.reason ?? error))),
          complete: () => {
            void client.dispose();
            resolve();
          },
        },
      );
    });
  }

  return { request, follow, followFlow };
}

/** Progress and log lines as they come, on stderr. */
function printEvent(event: CliFollowSubscription['taskEvents']) {
  const detail = (event.data ?? {}) as { progress?: number; message?: string; level?: string; attempt?: number; error?: { message?: string } };
  if (event.type === 'progress') console.error(`progress ${Math.round(Number(detail.progress) * 100)}%${detail.message ? ` ${detail.message}` : ''}`);
  else if (event.type === 'log') console.error(`[${detail.level ?? 'info'}] ${detail.message}`);
  else if (event.type === 'retrying') console.error(`attempt ${detail.attempt} failed: ${detail.error?.message}; retrying`);
  else console.error(event.type);
}
