// One session connection for LISTEN, owned here rather than by postgres.js's sql.listen, which
// forgets its channels when a reconnect attempt fails while the database is down. This one keeps
// retrying until LISTEN succeeds again, and says so through onListen so the caller can catch up.
// It is probed too: a half-open connection delivers no notifications and no error, so a probe
// that goes unanswered replaces the connection.
import postgres from 'postgres';
import { backoffMs } from '../backoff.js';
import type { Logger } from '../logger.js';

export const TIMED_OUT = Symbol('timed out');

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(TIMED_OUT), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createListener(url: string, base: postgres.Options<{}>, log: Logger, probeSeconds: number) {
  const channels = new Map<string, { onNotify: (payload: string) => void; onListen: () => void }>();
  let connected = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  /** Reconnect attempts since the listener was last connected. */
  let failures = 0;

  const open = () =>
    postgres(url, {
      ...base,
      connection: { application_name: 'task-executor-listen' },
      max: 1,
      idle_timeout: 0,
      max_lifetime: 0,
      fetch_types: false,
      onnotify: (channel: string, payload: string) => channels.get(channel)?.onNotify(payload),
      onclose: () => {
        if (closed) return;
        if (connected) log.warn('listener connection lost; reconnecting');
        connected = false;
        schedule();
      },
    } as postgres.Options<{}>);
  let sql = open();

  function schedule() {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void subscribeAll();
    }, backoffMs(++failures, 100, 5000));
  }

  async function subscribeAll() {
    try {
      for (const name of channels.keys()) await withTimeout(sql.unsafe(listenStatement(name)), probeSeconds * 1000);
      if (!connected) log.info('listener connected');
      connected = true;
      failures = 0;
      for (const { onListen } of channels.values()) onListen();
    } catch (error) {
      connected = false;
      if (error === TIMED_OUT) replace();
      else log.warn({ err: error }, 'listener could not connect; retrying');
      schedule();
    }
  }

  /** Drops a connection that stopped answering and starts over on a new one. */
  function replace() {
    log.warn('listener connection not answering; replacing it');
    const old = sql;
    sql = open();
    void old.end({ timeout: 0 }).catch(() => {});
  }

  const probe = setInterval(async () => {
    if (!connected || closed) return;
    const current = sql;
    try {
      await withTimeout(current`SELECT 1`, probeSeconds * 1000);
    } catch (error) {
      if (error !== TIMED_OUT || current !== sql || closed) return;
      connected = false;
      replace();
      schedule();
    }
  }, probeSeconds * 1000);
  probe.unref();

  return {
    async listen(channel: string, onNotify: (payload: string) => void, onListen: () => void) {
      channels.set(channel, { onNotify, onListen });
      await sql.unsafe(listenStatement(channel));
      connected = true;
      onListen();
    },
    listening: () => connected,
    async close() {
      closed = true;
      clearTimeout(retry);
      clearInterval(probe);
      connected = false;
      await sql.end({ timeout: 5 });
    },
  };
}

const listenStatement = (channel: string) => `LISTEN "${channel.replace(/"/g, '""')}"`;
