// The one WebSocket (graphql-ws) that carries every subscription. It reconnects by itself after
// the server goes away, with a capped backoff, and re-sends each open subscription; a close with
// 4403 (key missing or refused) is final, because retrying with the same key cannot succeed.
import { createClient, type Client } from 'graphql-ws';
import { backoffMs, sleepMs } from '../../src/backoff';
import { bearer } from './auth';

export type ConnectionState = 'connecting' | 'connected' | 'lost' | 'refused';

export interface SocketHooks {
  onState(state: ConnectionState): void;
  /** After a reconnect: what the page shows may be stale until it catches up. */
  onReconnected(): void;
}

const isClose = (value: unknown): value is CloseEvent => typeof (value as CloseEvent)?.code === 'number';

export function connectSocket(hooks: SocketHooks): Client {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  let everConnected = false;
  return createClient({
    url,
    connectionParams: () => {
      const authorization = bearer();
      return authorization ? { authorization } : {};
    },
    // Connect now and stay connected, so the page knows it is live even between subscriptions.
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: (event) => !(isClose(event) && event.code === 4403),
    // The default backoff doubles without a cap; a restarted server should be found within seconds.
    retryWait: (retries) => sleepMs(backoffMs(retries + 1, 1000, 5000)),
    onNonLazyError: (error) => hooks.onState(isClose(error) && error.code === 4403 ? 'refused' : 'lost'),
    on: {
      connecting: () => hooks.onState(everConnected ? 'lost' : 'connecting'),
      connected: (_socket, _payload, wasRetry) => {
        everConnected = true;
        hooks.onState('connected');
        if (wasRetry) hooks.onReconnected();
      },
      closed: (event) => {
        if (isClose(event) && event.code === 4403) hooks.onState('refused');
        else if (everConnected) hooks.onState('lost');
      },
    },
  });
}
