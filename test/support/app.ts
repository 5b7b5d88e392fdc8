// Starts the real server in this process on a random port, and talks to it the way clients do:
// HTTP POSTs for queries and mutations, a graphql-ws client for subscriptions.
import { sql } from 'drizzle-orm';
import { createClient, type Client } from 'graphql-ws';
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createRegistry, builtInKinds } from '../../src/tasks/handlers.js';
import type { TaskKind } from '../../src/tasks/kind.js';
import { freshDatabase, poolerPort, postgresUrl } from './db.js';
import { serverDatabase } from './pooler.js';

/** The app each client was made for (ws()), so a subscription can wait for its stream there. */
const appOfClient = new WeakMap<Client, App>();

export interface TestApp extends App {
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<{ data: T; errors: any[] }>;
  ws(): Client;
}

export async function startApp(
  env: Record<string, string | undefined>,
  extraKinds: Record<string, TaskKind> = {},
): Promise<TestApp> {
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    POLL_INTERVAL_MS: '200',
    RETRY_BACKOFF_MS: '50',
    SHUTDOWN_GRACE_SECONDS: '2',
    ...env,
  });
  const app = await createApp(config, createLogger(config.logLevel), createRegistry({ ...builtInKinds, ...extraKinds }));
  await app.start();
  const clients: Client[] = [];
  const stop = app.stop.bind(app);
  return Object.assign(app, {
    async gql(query: string, variables?: Record<string, unknown>) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return response.json();
    },
    ws() {
      const client = createClient({ url: `${app.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
      clients.push(client);
      appOfClient.set(client, app);
      return client;
    },
    async stop() {
      for (const client of clients) await client.dispose();
      await stop();
    },
  }) as TestApp;
}

/** Collects a subscription's results until `done` says stop (or it completes), then unsubscribes. */
export function collect<T = any>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  done: (items: T[]) => boolean = () => false,
  timeoutMs = 20_000,
): { items: T[]; errors: unknown[]; finished: Promise<T[]>; ready: Promise<void> } {
  const items: T[] = [];
  const errors: unknown[] = [];
  let stop: () => void = () => {};
  const app = appOfClient.get(client);
  const streamsBefore = app?.streams() ?? 0;
  let ended = false;
  const finished = new Promise<T[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`subscription did not finish in ${timeoutMs} ms; got ${items.length} items`));
    }, timeoutMs);
    const finish = () => {
      ended = true;
      clearTimeout(timer);
      stop();
      resolve(items);
    };
    stop = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) errors.push(...result.errors);
          if (result.data) items.push(result.data as T);
          if (done(items)) finish();
        },
        error: (error) => {
          errors.push(error);
          finish();
        },
        complete: finish,
      },
    );
  });
  // graphql-ws subscribes asynchronously: ready once the server has opened the stream (or the
  // subscription already ended, refused or complete).
  const ready = app
    ? waitFor(async () => ended || app.streams() > streamsBefore, 10_000, 'the server to open the stream').then(() => {})
    : Promise.reject(new Error('collect: ready needs a client made by app.ws()'));
  ready.catch(() => {});
  return { items, errors, finished, ready };
}

/** The URL of the Postgres database an app runs on, for connections of a test's own. */
export async function databaseUrlOf(app: App): Promise<string> {
  const [{ name }] = await app.db.query<{ name: string }>(sql`SELECT current_database() AS name`);
  const url = new URL(postgresUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A connection of a test's own to the database an app runs on (to hold a lock, say); end() it. */
export async function connectionTo(app: App) {
  return postgres(await databaseUrlOf(app), { max: 1, onnotice: () => {} });
}

/**
 * The backends of the holder's database waiting for an advisory lock. pg_locks is cluster-wide and
 * test files run side by side, each on a database of its own: unfiltered, it sees theirs too.
 */
export async function advisoryWaiters(holder: postgres.Sql): Promise<number[]> {
  const rows = await holder<{ pid: number }[]>`
    SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
    WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()`;
  return rows.map((r) => r.pid);
}

/** An external worker's last sign of life, as its row says: claimTasks refreshes it first thing. */
export async function heartbeatOf(app: App, workerId: string): Promise<number> {
  return (await app.store.workers.getWorker(workerId))!.lastHeartbeatAt.getTime();
}

/** Resolves once a claimTasks sent after `before` (heartbeatOf) has begun looking for work. */
export async function claimBegun(app: App, workerId: string, before: number): Promise<void> {
  await waitFor(async () => (await heartbeatOf(app, workerId)) > before, 10_000, 'the claim to begin');
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false | null>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A fresh database and a running server for the test file that calls it (in its describe). The
 * returned object stands for the app once beforeAll has started it; afterAll stops it and drops
 * the database.
 */
export function appForFile(env: Record<string, string | undefined>, extraKinds: Record<string, TaskKind> = {}): TestApp {
  let app: TestApp | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    app = await startApp({ ...serverDatabase(db.url, poolerPort), ...env }, extraKinds);
  });
  afterAll(async () => {
    await app?.stop();
    await drop?.();
  });
  return new Proxy({} as TestApp, {
    get: (_, key) => {
      if (!app) throw new Error('appForFile: the app is used before beforeAll started it');
      const value = Reflect.get(app, key);
      return typeof value === 'function' ? value.bind(app) : value;
    },
  });
}
