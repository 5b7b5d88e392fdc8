// The statements clients cause: create, read, list, cancel and retry tasks. Each state change is
// one statement that also writes its event (see writeEvents), so there is no transaction to hold open.
import { sql, type SQL } from 'drizzle-orm';
import type { Database, Row } from '../db/client.js';
import { ClientError } from '../errors.js';
import { dueNotice, NOTIFIED, writeEvents, idArray, TASK_COLUMNS, toTask, type Task, type TaskStatus } from './rows.js';

export interface NewTask {
  kind: string;
  input: unknown;
  priority: number;
  runAt: Date | null;
  maxAttempts: number;
  timeoutSeconds: number;
  idempotencyKey: string | null;
}

/** Who takes tasks as they are created (see createTasks), and which: claim[i] for tasks[i]. */
export interface Claimant {
  workerId: string;
  leaseSeconds: number;
  claim: readonly boolean[];
}

export interface TaskFilter {
  statuses?: TaskStatus[];
  kinds?: string[];
}

export interface TaskPage {
  /** Only tasks with a smaller id (older). */
  beforeId?: string;
  /** Only tasks with a larger id (newer). */
  afterId?: string;
  limit: number;
  /** Oldest first instead of newest first. */
  oldestFirst: boolean;
}

export function taskStore(db: Database) {
  return {
    /**
     * Inserts tasks in one statement. A task whose idempotency key already exists is not inserted;
     * the existing task is returned in its place. The result is in input order. With a claimant,
     * the tasks it marks are inserted already claimed by that worker (RUNNING, attempt 1, leased,
     * with their `started` event after `created`), unless its row says paused or scaled to zero:
     * an executor in this process with free slots starts them without a claim statement.
     */
    async createTasks(tasks: NewTask[], onInserted?: (inserted: Task[]) => void, claimant?: Claimant): Promise<Task[]> {
      const rows = tasks.map((t, ord) => ({
        ord,
        kind: t.kind,
        input: t.input,
        priority: t.priority,
        run_at: t.runAt?.toISOString() ?? null,
        max_attempts: t.maxAttempts,
        timeout_seconds: t.timeoutSeconds,
        idempotency_key: t.idempotencyKey,
        // Left out unless true (JSON.stringify drops undefined): NULL joins no claimant.
        claim: claimant?.claim[ord] || undefined,
      }));
      const workerId = claimant?.workerId ?? null;
      const due = dueNotice(tasks.some((t) => t.runAt !== null), sql`SELECT run_at, kind FROM changed WHERE status = 'pending'`);
      const inserted = await db.query(sql`
        WITH input AS (
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(
            ord int, kind text, input jsonb, priority int, run_at timestamptz,
            max_attempts int, timeout_seconds int, idempotency_key text, claim boolean)
        ), claimant AS MATERIALIZED (
          -- The claim statement's check: a worker paused or scaled to zero in its row claims nothing.
          SELECT ${workerId}::text AS worker_id, ${claimant?.leaseSeconds ?? 0}::int AS lease_seconds
          WHERE ${workerId}::text IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM workers w WHERE w.id = ${workerId}::text AND (w.state = 'paused' OR w.concurrency = 0))
        ), changed AS (
          INSERT INTO tasks (kind, input, priority, run_at, max_attempts, timeout_seconds, idempotency_key,
            status, attempts, worker_id, started_at, lease_expires_at)
          SELECT kind, input, priority, coalesce(run_at, now()), max_attempts, timeout_seconds, idempotency_key,
            CASE WHEN c.worker_id IS NULL THEN 'pending' ELSE 'running' END::task_status,
            CASE WHEN c.worker_id IS NULL THEN 0 ELSE 1 END, c.worker_id,
            CASE WHEN c.worker_id IS NOT NULL THEN now() END, now() + make_interval(secs => c.lease_seconds)
          -- Due by the database's clock, as a claim would judge it.
          FROM input LEFT JOIN claimant c ON input.claim AND coalesce(input.run_at, now()) <= now() ORDER BY ord
          ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
          RETURNING *
        ), ${writeEvents(
          // Only tasks left pending are work for the other executors.
          sql`CASE WHEN EXISTS (SELECT 1 FROM changed WHERE status = 'pending') THEN 'n' ELSE '' END`,
          claimant ? ['created', 'started'] : ['created'],
          sql`
          INSERT INTO task_events (task_id, type, status, data)
          SELECT id, e.type, e.status, e.data FROM changed, locked, LATERAL (
            SELECT 'created' AS type, 'pending'::task_status AS status, NULL::jsonb AS data
            UNION ALL
            -- Built only for the tasks claimed, not for every task of a bulk create.
            SELECT 'started', 'running', jsonb_build_object('attempt', attempts, 'workerId', worker_id)
            WHERE changed.status = 'running') AS e
          ORDER BY id, e.type = 'started'`,
        )}${due.cte}
        SELECT ${TASK_COLUMNS}, ${NOTIFIED}${due.read} FROM changed ORDER BY changed.id`);
      const created = inserted.map(toTask);
      onInserted?.(created);
      if (created.length === tasks.length) return created;
      // Some keys existed already (or repeated within this batch): answer with the stored tasks.
      const byKey = new Map<string, Task>();
      const keys = tasks.map((t) => t.idempotencyKey).filter((k): k is string => k !== null);
      for (const task of await this.tasksByKeys(keys)) byKey.set(task.idempotencyKey!, task);
      const fresh = created.filter((t) => t.idempotencyKey === null).values();
      return tasks.map((t) => (t.idempotencyKey === null ? fresh.next().value! : byKey.get(t.idempotencyKey)!));
    },

    async tasksByKeys(keys: string[]): Promise<Task[]> {
      if (keys.length === 0) return [];
      const rows = await db.query(sql`SELECT ${TASK_COLUMNS} FROM tasks WHERE idempotency_key IN ${keys}`);
      return rows.map(toTask);
    },

    async getTask(id: string): Promise<Task | null> {
      const rows = await db.query(sql`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ${id}::bigint`);
      return rows.length ? toTask(rows[0]) : null;
    },

    /** One statement for many ids, so a burst of events or a page of edges costs one read. */
    async getTasks(ids: string[]): Promise<Map<string, Task>> {
      const found = new Map<string, Task>();
      if (ids.length === 0) return found;
      const rows = await db.query(
        sql`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ANY(${idArray(ids)})`,
      );
      for (const row of rows) found.set(String(row.id), toTask(row));
      return found;
    },

    async listTasks(filter: TaskFilter, page: TaskPage): Promise<Task[]> {
      const where = filterSql(filter);
      if (page.beforeId) where.push(sql`id < ${page.beforeId}::bigint`);
      if (page.afterId) where.push(sql`id > ${page.afterId}::bigint`);
      const rows = await db.query(sql`
        SELECT ${TASK_COLUMNS} FROM tasks
        ${where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}
        ORDER BY tasks.id ${sql.raw(page.oldestFirst ? 'ASC' : 'DESC')}
        LIMIT ${page.limit}`);
      return rows.map(toTask);
    },

    async countTasks(filter: TaskFilter): Promise<number> {
      const where = filterSql(filter);
      const rows = await db.query<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM tasks
        ${where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}`);
      return rows[0].n;
    },

    /** Pending and running counts, each read from its partial index: cheap at any history size. */
    async queueDepth(): Promise<{ pending: number; running: number }> {
      const rows = await db.query<{ pending: number; running: number }>(sql`
        SELECT (SELECT count(*) FROM tasks WHERE status = 'pending')::int AS pending,
               (SELECT count(*) FROM tasks WHERE status = 'running')::int AS running`);
      return rows[0];
    },

    /**
     * Pending or running -> cancelled. A running embedded handler learns of it through the
     * 'cancelled' event; an external worker holding it finds the id in its next heartbeat.
     */
    async cancelTask(id: string): Promise<Task> {
      const rows = await db.query(sql`
        WITH target AS (
          SELECT id, worker_id FROM tasks WHERE id = ${id}::bigint AND status IN ('pending', 'running') FOR UPDATE
        ), changed AS (
          UPDATE tasks t SET status = 'cancelled', finished_at = now(), updated_at = now(),
            worker_id = NULL, lease_expires_at = NULL
          FROM target WHERE t.id = target.id
          RETURNING t.*, target.worker_id AS held_by
        ), mailbox AS (
          UPDATE workers w SET cancelled_task_ids = array_append(w.cancelled_task_ids, changed.id)
          FROM changed WHERE w.id = changed.held_by AND w.kind = 'external'
        ), ${writeEvents(false, ['cancelled'], sql`
          INSERT INTO task_events (task_id, type, status) SELECT id, 'cancelled', status FROM changed, locked`)}
        SELECT ${TASK_COLUMNS}, ${NOTIFIED} FROM changed`);
      if (rows.length) return toTask(rows[0]);
      const task = await this.getTask(id);
      if (!task) throw new ClientError('TASK_NOT_FOUND', `Task ${id} does not exist`);
      throw new ClientError('TASK_FINISHED', `Task ${id} is already ${task.status.toUpperCase()}`);
    },

    /** Failed, cancelled or timed out -> pending, with a fresh series of attempts. */
    async retryTask(id: string): Promise<Task> {
      const rows = await changeOne(
        sql`UPDATE tasks SET status = 'pending', attempts = 0, run_at = now(), updated_at = now(),
              result = NULL, error = NULL, progress = NULL, progress_message = NULL,
              started_at = NULL, finished_at = NULL, log_lines = 0, log_bytes = 0
            WHERE id = ${id}::bigint AND status IN ('failed', 'cancelled', 'timed_out') RETURNING *`,
        'retried',
        true,
      );
      if (rows.length) return toTask(rows[0]);
      const task = await this.getTask(id);
      if (!task) throw new ClientError('TASK_NOT_FOUND', `Task ${id} does not exist`);
      throw new ClientError(
        'TASK_NOT_RETRYABLE',
        `Task ${id} is ${task.status.toUpperCase()}; only FAILED, CANCELLED or TIMED_OUT tasks can be retried`,
      );
    },
  };

  /** Runs an UPDATE ... RETURNING * as the `changed` CTE and writes one event per changed row. */
  function changeOne(update: SQL, type: string, wake: boolean): Promise<Row[]> {
    return db.query(sql`
      WITH changed AS (${update}), ${writeEvents(wake, [type], sql`
        INSERT INTO task_events (task_id, type, status) SELECT id, ${type}, status FROM changed, locked`)}
      SELECT ${TASK_COLUMNS}, ${NOTIFIED} FROM changed`);
  }
}

function filterSql(filter: TaskFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.statuses?.length) where.push(sql`status IN ${filter.statuses.map((s) => sql`${s}::task_status`)}`);
  if (filter.kinds?.length) where.push(sql`kind IN ${filter.kinds}`);
  return where;
}

export type TaskStore = ReturnType<typeof taskStore>;
