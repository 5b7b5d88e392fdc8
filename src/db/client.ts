import { mkdirSync } from 'node:fs';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/postgres-js';
import { drizzle as drizzleLite } from 'drizzle-orm/pglite';
import { migrate as migratePg } from 'drizzle-orm/postgres-js/migrator';
import { migrate as migrateLite } from 'drizzle-orm/pglite/migrator';
import postgres from 'postgres';
import type { Logger } from '../logger.js';
import { createListener, TIMED_OUT, withTimeout } from './listener.js';

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
  /**
   * Named prepared statements (default true). A transaction-mode pooler may hand each statement to
   * another server connection, where a statement prepared on the first does not exist: PgBouncer
   * before 1.21, or later without max_prepared_statements.
   */
  prepare?: boolean;
  dataDir: string;
  poolSize: number;
  log: Logger;
  /** How often the connections are probed; a probe unanswered this long means a dead link. */
  probeSeconds?: number;
}

// drizzle builds every statement; we run it ourselves so postgres.js can keep it prepared (drizzle's
// execute() never prepares), which saves parsing and planning on every claim and completion.
const dialect = new PgDialect();

export async function connect(options: ConnectOptions): Promise<Database> {
  const withDefaults = { probeSeconds: 5, prepare: true, ...options };
  return options.databaseUrl ? connectPostgres(withDefaults, options.databaseUrl) : connectPglite(withDefaults);
}

function connectPostgres(options: ConnectOptions & { probeSeconds: number; prepare: boolean }, url: string): Database {
  const log = options.log.child({ component: 'db' });
  // fetch_types off: postgres.js would otherwise look up array types on every new connection, and
  // when a pool is ended while that lookup runs (a database restart) its rejection is unhandled.
  // The store reads arrays as jsonb (store/columns.ts), which both drivers parse alike.
  const base = { onnotice: () => {}, fetch_types: false, connection: { application_name: 'task-executor' } };
  const pool = () => postgres(url, { ...base, max: options.poolSize });
  let sql = pool();
  let db = drizzlePg(sql);
  const listener = createListener(options.listenDatabaseUrl ?? url, base, log, options.probeSeconds);
  // A connection whose packets vanish (a half-open socket) hangs its queries instead of failing
  // them. A probe that does not answer in time replaces the whole pool; the old connections are
  // destroyed, so whatever waited on them fails and is retried by its caller.
  const probe = setInterval(async () => {
    const current = sql;
    const answered = await withTimeout(current`SELECT 1`, options.probeSeconds * 1000).then(() => true, (e) => e !== TIMED_OUT);
    if (answered || current !== sql) return;
    log.warn('database not answering; replacing the connection pool');
    sql = pool();
    db = drizzlePg(sql);
    void current.end({ timeout: 0 }).catch(() => {});
  }, options.probeSeconds * 1000);
  probe.unref();
  return {
    kind: 'postgres',
    applyMigrations: (migrationsFolder) => migratePg(db, { migrationsFolder }),
    async query<T>(statement: SQL) {
      const { sql: text, params } = dialect.sqlToQuery(statement);
      return (await sql.unsafe(text, params as never[], { prepare: options.prepare })) as unknown as T[];
    },
    async exclusive<T>(lockKey: number, fn: () => Promise<T>): Promise<T> {
      // A transaction-scoped lock on a transaction kept open while fn runs on other connections
      // (postgres.js's reserve() never hands over a new connection when fetch_types is off).
      // The result travels in an array: begin() would take a returned array for a list of queries.
      const [result] = await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${lockKey})`;
        return [await fn()];
      });
      return result as T;
    },
    listen: listener.listen,
    listening: listener.listening,
    async close() {
      clearInterval(probe);
      await listener.close();
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
