import { mkdirSync } from 'node:fs';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/postgres-js';
import { drizzle as drizzleLite } from 'drizzle-orm/pglite';
import { migrate as migratePg } from 'drizzle-orm/postgres-js/migrator';
import { migrate as migrateLite } from 'drizzle-orm/pglite/migrator';
import postgres from 'postgres';
import type { Logger } from '../logger.js';

export type Row = Record<string, unknown>;

/** postgres.js or PGlite behind the few operations the store and the event pump need. */
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /** Runs one statement and returns its rows, whatever the driver. */
  query<T = Row>(statement: SQL): Promise<T[]>;
  /**
   * Calls onNotify for each notification on channel. onListen runs every time the listener is
   * (re)connected, so a caller can read what it may have missed while it was away.
   */
  listen(channel: string, onNotify: (payload: string) => void, onListen: () => void): Promise<void>;
  /** The listener is connected now. */
  listening(): boolean;
  /** Applies the drizzle-kit migrations in folder with this driver's migrator. */
  applyMigrations(folder: string): Promise<void>;
  /** Runs fn while this process holds a session-level advisory lock (across processes). */
  exclusive<T>(lockKey: number, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  databaseUrl?: string;
  listenDatabaseUrl?: string;
  dataDir: string;
  poolSize: number;
  log: Logger;
}

// drizzle builds every statement; we run it ourselves so postgres.js can keep it prepared (drizzle's
// execute() never prepares), which saves parsing and planning on every claim and completion.
const dialect = new PgDialect();

export async function connect(options: ConnectOptions): Promise<Database> {
  return options.databaseUrl ? connectPostgres(options, options.databaseUrl) : connectPglite(options);
}

function connectPostgres(options: ConnectOptions, url: string): Database {
  const log = options.log.child({ component: 'db' });
  const base = { onnotice: () => {}, connection: { application_name: 'task-executor' } };
  const sql = postgres(url, { ...base, max: options.poolSize });
  const db = drizzlePg(sql);
  const listener = createListener(options.listenDatabaseUrl ?? url, base, log);
  return {
    kind: 'postgres',
    applyMigrations: (migrationsFolder) => migratePg(db, { migrationsFolder }),
    async query<T>(statement: SQL) {
      const { sql: text, params } = dialect.sqlToQuery(statement);
      return (await sql.unsafe(text, params as never[], { prepare: true })) as unknown as T[];
    },
    async exclusive(lockKey, fn) {
      const session = await sql.reserve();
      try {
        await session`SELECT pg_advisory_lock(${lockKey})`;
        try {
          return await fn();
        } finally {
          await session`SELECT pg_advisory_unlock(${lockKey})`;
        }
      } finally {
        session.release();
      }
    },
    listen: listener.listen,
    listening: listener.listening,
    async close() {
      await listener.close();
      await sql.end({ timeout: 5 });
    },
  };
}

// One session connection for LISTEN, owned here rather than by postgres.js's sql.listen, which
// forgets its channels when a reconnect attempt fails while the database is down. This one keeps
// retrying until LISTEN succeeds again, and says so through onListen so the caller can catch up.
function createListener(url: string, base: postgres.Options<{}>, log: Logger) {
  const channels = new Map<string, { onNotify: (payload: string) => void; onListen: () => void }>();
  let connected = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = 100;
  const sql = postgres(url, {
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

  function schedule() {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void subscribeAll();
    }, delay);
    delay = Math.min(delay * 2, 5000);
  }

  async function subscribeAll() {
    try {
      for (const name of channels.keys()) await sql.unsafe(`LISTEN "${name.replace(/"/g, '""')}"`);
      if (!connected) log.info('listener connected');
      connected = true;
      delay = 100;
      for (const { onListen } of channels.values()) onListen();
    } catch (error) {
      connected = false;
      log.warn({ err: error }, 'listener could not connect; retrying');
      schedule();
    }
  }

  return {
    async listen(channel: string, onNotify: (payload: string) => void, onListen: () => void) {
      channels.set(channel, { onNotify, onListen });
      await sql.unsafe(`LISTEN "${channel.replace(/"/g, '""')}"`);
      connected = true;
      onListen();
    },
    listening: () => connected,
    async close() {
      closed = true;
      clearTimeout(retry);
      connected = false;
      await sql.end({ timeout: 5 });
    },
  };
}

async function connectPglite(options: ConnectOptions): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  mkdirSync(options.dataDir, { recursive: true });
  const pg = await PGlite.create(options.dataDir);
  const db = drizzleLite(pg);
  const unlisteners: Array<() => Promise<void>> = [];
  return {
    kind: 'pglite',
    applyMigrations: (migrationsFolder) => migrateLite(db, { migrationsFolder }),
    async query<T>(statement: SQL) {
      const { sql: text, params } = dialect.sqlToQuery(statement);
      return (await pg.query<T>(text, params)).rows;
    },
    // One process owns the embedded database: there is no one to exclude.
    exclusive: (_lockKey, fn) => fn(),
    async listen(channel, onNotify, onListen) {
      unlisteners.push(await pg.listen(channel, onNotify));
      onListen();
    },
    // The embedded database lives in this process: its listener cannot drop.
    listening: () => !pg.closed,
    async close() {
      for (const unlisten of unlisteners.splice(0)) await unlisten().catch(() => {});
      await pg.close();
    },
  };
}
