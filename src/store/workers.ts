// The statements about workers: register, heartbeat, steer, and find the ones that stopped
// heartbeating. Every change of a worker row sends its id on WORKERS_CHANNEL, so each process can
// re-read it: subscribers see it live and the worker's own process obeys a command at once.
import { sql } from 'drizzle-orm';
import type { Database, Row } from '../db/client.js';
import { IS_RUNNING, idArray, textArray } from './rows.js';

export type WorkerKind = 'embedded' | 'external';
export type WorkerState = 'active' | 'paused' | 'stopping' | 'offline';

/** What a worker says of itself when it registers. */
export interface NewWorker {
  id: string;
  name: string;
  kind: WorkerKind;
  host: string | null;
  pid: number | null;
  kinds: string[];
  concurrency: number;
  leaseSeconds: number;
}

export interface Worker extends NewWorker {
  running: number;
  processed: number;
  succeeded: number;
  failed: number;
  state: WorkerState;
  startedAt: Date;
  lastHeartbeatAt: Date;
  updatedAt: Date;
}

/** What an embedded executor reports at each heartbeat. */
export interface WorkerReport {
  running: number;
  /** The ids of the tasks it holds: their leases are renewed. */
  held: string[];
  processed: number;
  succeeded: number;
  failed: number;
}

export const WORKERS_CHANNEL = 'task_workers';
/** Offline workers are forgotten after this long; a kind only they served is then refused. */
const FORGET_OFFLINE = '1 day';

const WORKER_COLUMNS = sql.raw(`w.id, w.name, w.kind, w.host, w.pid, w.kinds, w.concurrency, w.running,
  w.processed::float8 AS processed, w.succeeded::float8 AS succeeded, w.failed::float8 AS failed,
  w.state, w.lease_seconds,
  (extract(epoch FROM w.started_at) * 1000)::float8 AS started_at,
  (extract(epoch FROM w.last_heartbeat_at) * 1000)::float8 AS last_heartbeat_at,
  (extract(epoch FROM w.updated_at) * 1000)::float8 AS updated_at`);

const notify = sql.raw(`pg_notify('${WORKERS_CHANNEL}', w.id)`);

export function toWorker(row: Row): Worker {
  return {
    id: row.id as string,
    name: row.name as string,
    kind: row.kind as WorkerKind,
    host: (row.host as string | null) ?? null,
    pid: (row.pid as number | null) ?? null,
    kinds: parseTextArray(row.kinds),
    concurrency: row.concurrency as number,
    running: row.running as number,
    processed: Number(row.processed),
    succeeded: Number(row.succeeded),
    failed: Number(row.failed),
    state: row.state as WorkerState,
    leaseSeconds: row.lease_seconds as number,
    startedAt: new Date(Number(row.started_at)),
    lastHeartbeatAt: new Date(Number(row.last_heartbeat_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

/** postgres.js parses text[] to an array; with fetch_types off or on PGlite it may arrive as '{a,b}'. */
function parseTextArray(value: unknown): string[] {
  if (Array.isArray(value)) return value as string[];
  const text = String(value ?? '{}').slice(1, -1);
  if (!text) return [];
  return text.split(',').map((item) => (item.startsWith('"') ? JSON.parse(item) : item));
}

export function workerStore(db: Database) {
  return {
    async register(worker: NewWorker): Promise<Worker> {
      const rows = await db.query(sql`
        WITH w AS (
          INSERT INTO workers (id, name, kind, host, pid, kinds, concurrency, lease_seconds)
          VALUES (${worker.id}, ${worker.name}, ${worker.kind}, ${worker.host}, ${worker.pid},
            ${textArray(worker.kinds)}, ${worker.concurrency}, ${worker.leaseSeconds})
          RETURNING *
        )
        SELECT ${WORKER_COLUMNS}, ${notify} FROM w`);
      return toWorker(rows[0]);
    },

    /**
     * An embedded executor's heartbeat, one statement: reports its counters, renews the leases of
     * the tasks it holds, and returns its row, whose concurrency and state are the commands it
     * obeys. The row is created if missing (first beat, or forgotten after a long outage), and a
     * worker that was marked offline while it could not reach the database becomes active again.
     */
    async beat(worker: NewWorker, report: WorkerReport): Promise<Worker> {
      const rows = await db.query(sql`
        WITH w AS (
          INSERT INTO workers AS w (id, name, kind, host, pid, kinds, concurrency, lease_seconds,
            running, processed, succeeded, failed)
          VALUES (${worker.id}, ${worker.name}, ${worker.kind}, ${worker.host}, ${worker.pid},
            ${textArray(worker.kinds)}, ${worker.concurrency}, ${worker.leaseSeconds},
            ${report.running}, ${report.processed}, ${report.succeeded}, ${report.failed})
          ON CONFLICT (id) DO UPDATE SET running = excluded.running, processed = excluded.processed,
            succeeded = excluded.succeeded, failed = excluded.failed, kinds = excluded.kinds,
            last_heartbeat_at = now(),
            state = CASE WHEN w.state = 'offline' THEN 'active'::worker_state ELSE w.state END
          RETURNING *
        ), renewed AS (
          UPDATE tasks SET lease_expires_at = now() + make_interval(secs => ${worker.leaseSeconds})
          WHERE id = ANY(${idArray(report.held)}) AND ${IS_RUNNING} AND worker_id = ${worker.id}
        )
        SELECT ${WORKER_COLUMNS}, ${notify} FROM w`);
      return toWorker(rows[0]);
    },

    /**
     * An external worker's heartbeat: renews its tasks' leases, refreshes its running count, and
     * hands over (once) the ids of its tasks that were cancelled since the last beat.
     */
    async beatExternal(id: string): Promise<{ worker: Worker; cancelled: string[] } | null> {
      // Task rows first, then the worker row, the order cancelTask takes them in (the cancelled
      // task, then its worker's mailbox): the other order deadlocked a beat against a cancel.
      const rows = await db.query(sql`
        WITH renewed AS (
          UPDATE tasks t SET lease_expires_at = now() + make_interval(secs => w.lease_seconds)
          FROM workers w WHERE w.id = ${id} AND t.status = 'running' AND t.worker_id = ${id}
          RETURNING t.id
        ), before AS MATERIALIZED (
          SELECT id, cancelled_task_ids FROM workers
          WHERE id = ${id} AND kind = 'external' AND (SELECT count(*) FROM renewed) >= 0
          FOR UPDATE
        ), w AS (
          UPDATE workers w SET last_heartbeat_at = now(), cancelled_task_ids = '{}',
            running = (SELECT count(*) FROM renewed),
            state = CASE WHEN w.state = 'offline' THEN 'active'::worker_state ELSE w.state END
          FROM before WHERE w.id = before.id
          RETURNING w.*
        )
        SELECT ${WORKER_COLUMNS}, ${notify}, (SELECT cancelled_task_ids::text[] FROM before) AS cancelled FROM w`);
      if (rows.length === 0) return null;
      return { worker: toWorker(rows[0]), cancelled: parseTextArray(rows[0].cancelled) };
    },

    /** Counters of an external worker after it finished attempts, and its running count now. */
    async counted(id: string, processed: number, succeeded: number): Promise<void> {
      await db.query(sql`
        WITH w AS (
          UPDATE workers w SET processed = processed + ${processed}, succeeded = succeeded + ${succeeded},
            failed = failed + ${processed - succeeded}, last_heartbeat_at = now(),
            running = (SELECT count(*) FROM tasks WHERE status = 'running' AND worker_id = ${id})
          WHERE id = ${id} RETURNING w.id
        )
        SELECT ${notify} FROM w`);
    },

    /** An external worker's row with its running count refreshed; null when there is no such worker. */
    async withRunning(id: string): Promise<Worker | null> {
      const rows = await db.query(sql`
        WITH w AS (
          UPDATE workers w SET running = (SELECT count(*) FROM tasks WHERE status = 'running' AND worker_id = ${id}),
            last_heartbeat_at = now(),
            state = CASE WHEN w.state = 'offline' THEN 'active'::worker_state ELSE w.state END
          WHERE id = ${id} AND kind = 'external' RETURNING w.*
        )
        SELECT ${WORKER_COLUMNS}, ${notify} FROM w`);
      return rows.length ? toWorker(rows[0]) : null;
    },

    async get(id: string): Promise<Worker | null> {
      const rows = await db.query(sql`SELECT ${WORKER_COLUMNS} FROM workers w WHERE id = ${id}`);
      return rows.length ? toWorker(rows[0]) : null;
    },

    async getMany(ids: string[]): Promise<Worker[]> {
      if (ids.length === 0) return [];
      const rows = await db.query(sql`SELECT ${WORKER_COLUMNS} FROM workers w WHERE id IN ${ids}`);
      return rows.map(toWorker);
    },

    async list(states?: WorkerState[]): Promise<Worker[]> {
      const rows = await db.query(sql`
        SELECT ${WORKER_COLUMNS} FROM workers w
        ${states?.length ? sql`WHERE state IN ${states.map((s) => sql`${s}::worker_state`)}` : sql``}
        ORDER BY w.kind, w.started_at, w.id`);
      return rows.map(toWorker);
    },

    /**
     * A command: new concurrency and/or state, unless the worker is stopping or offline (then the
     * row is returned unchanged, and the caller says why). Null when no such worker exists.
     */
    async steer(id: string, change: { concurrency?: number; state?: 'active' | 'paused' }): Promise<Worker | null> {
      const rows = await db.query(sql`
        WITH w AS (
          UPDATE workers w SET updated_at = now(),
            concurrency = coalesce(${change.concurrency ?? null}::int, w.concurrency),
            state = coalesce(${change.state ?? null}::worker_state, w.state)
          WHERE id = ${id} AND state IN ('active', 'paused')
          RETURNING w.*
        )
        SELECT ${WORKER_COLUMNS}, ${notify} FROM w`);
      if (rows.length) return toWorker(rows[0]);
      return this.get(id);
    },

    /** Stopping or offline: set by an embedded executor at shutdown. */
    async setState(id: string, state: 'stopping' | 'offline'): Promise<void> {
      await db.query(sql`
        WITH w AS (
          UPDATE workers w SET state = ${state}, updated_at = now(),
            running = CASE WHEN ${state} = 'offline' THEN 0 ELSE running END
          WHERE id = ${id} RETURNING w.id
        )
        SELECT ${notify} FROM w`);
    },

    /**
     * Workers silent for longer than their lease go offline, and the leases of the tasks they held
     * end now, so the expiry sweep requeues those tasks at once. Long-offline workers are forgotten.
     */
    async markSilentOffline(): Promise<string[]> {
      const rows = await db.query<{ id: string }>(sql`
        WITH w AS (
          UPDATE workers w SET state = 'offline', running = 0, updated_at = now()
          WHERE state <> 'offline' AND last_heartbeat_at < now() - make_interval(secs => lease_seconds)
          RETURNING w.id
        ), expired AS (
          UPDATE tasks SET lease_expires_at = now()
          WHERE status = 'running' AND lease_expires_at IS NOT NULL AND worker_id IN (SELECT id FROM w)
        ), forgotten AS (
          DELETE FROM workers WHERE state = 'offline' AND last_heartbeat_at < now() - interval '${sql.raw(FORGET_OFFLINE)}'
        )
        SELECT w.id, ${notify} FROM w`);
      return rows.map((r) => r.id);
    },

    /** The kinds registered by external workers: createTask accepts them. */
    async externalKinds(): Promise<string[]> {
      const rows = await db.query<{ kind: string }>(
        sql`SELECT DISTINCT unnest(kinds) AS kind FROM workers WHERE kind = 'external' ORDER BY 1`,
      );
      return rows.map((r) => r.kind);
    },
  };
}


export type WorkerStore = ReturnType<typeof workerStore>;
