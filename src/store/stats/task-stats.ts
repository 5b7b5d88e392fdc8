// Task statistics that stay cheap however long the history: counts come from task_counts and
// throughput from task_finishes (both kept by triggers, see drizzle/0002), and timings from the
// most recently finished tasks, read newest first from the index over finished_at, in one pass
// and in float8: extract() computes in numeric, and with two passes over the sample it cost 34 ms
// of a 10,000-task sample at 10 M tasks, against 18 ms so (bench/growth.ts).
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { TaskStatus } from '../rows.js';

export interface Durations {
  averageMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

export type TaskStats = Record<TaskStatus, number> & {
  total: number;
  /** Completed over completed, failed and timed out, among the sampled finished tasks. */
  successRate: number | null;
  queueWait: Durations;
  runTime: Durations;
  throughput: { lastMinute: number; lastHour: number };
  /** How many finished tasks the rate and timings were computed from. */
  sampleSize: number;
};

interface Timings {
  sample_size: number;
  success_rate: number | null;
  wait_avg: number | null;
  wait: [number, number] | null;
  run_avg: number | null;
  run: [number, number] | null;
}

interface StatsRow {
  counts: Partial<Record<TaskStatus, number>> | null;
  timings: Timings;
  throughput: [number, number];
}

/** Timings are computed from at most this many of the latest finished tasks. */
export const STATS_SAMPLE = 10_000;

export async function taskStats(db: Database, kind: string | null, since: Date | null, queue: string | null = null): Promise<TaskStats> {
  const matches = sql`(${kind}::text IS NULL OR kind = ${kind}::text) AND (${queue}::text IS NULL OR queue = ${queue}::text)`;
  const [row] = await db.query<StatsRow>(sql`
    WITH sample AS (
      SELECT status, status <> 'cancelled' AND started_at IS NOT NULL AS ran,
             date_part('epoch', started_at - run_at) * 1000 AS wait_ms,
             date_part('epoch', finished_at - started_at) * 1000 AS run_ms
      FROM tasks
      WHERE finished_at IS NOT NULL AND finished_at >= coalesce(${since?.toISOString() ?? null}::timestamptz, '-infinity')
        AND ${matches}
      ORDER BY finished_at DESC LIMIT ${STATS_SAMPLE}
    )
    SELECT
      (SELECT jsonb_object_agg(status, n) FROM (
        SELECT status, sum(n)::float8 AS n FROM task_counts WHERE ${matches} GROUP BY status) c) AS counts,
      (SELECT to_jsonb(r) FROM (
        SELECT count(*)::int AS sample_size,
          (count(*) FILTER (WHERE status = 'completed'))::float8 / nullif(count(*) FILTER (WHERE ran), 0) AS success_rate,
          avg(wait_ms) FILTER (WHERE ran) AS wait_avg,
          percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY wait_ms) FILTER (WHERE ran) AS wait,
          avg(run_ms) FILTER (WHERE ran) AS run_avg,
          percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY run_ms) FILTER (WHERE ran) AS run
        FROM sample) r) AS timings,
      (SELECT jsonb_build_array(coalesce(sum(n) FILTER (WHERE second >= now() - interval '1 minute'), 0), coalesce(sum(n), 0))
         FROM task_finishes WHERE second >= now() - interval '1 hour' AND ${matches}) AS throughput`);
  const counts = row.counts ?? {};
  const t = row.timings;
  const [lastMinute, lastHour] = row.throughput;
  const stats: TaskStats = {
    waiting: 0, pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, timed_out: 0, total: 0,
    successRate: t.success_rate,
    queueWait: { averageMs: t.wait_avg, p50Ms: t.wait?.[0] ?? null, p95Ms: t.wait?.[1] ?? null },
    runTime: { averageMs: t.run_avg, p50Ms: t.run?.[0] ?? null, p95Ms: t.run?.[1] ?? null },
    throughput: { lastMinute: Number(lastMinute), lastHour: Number(lastHour) },
    sampleSize: Number(t.sample_size),
  };
  for (const status of Object.keys(counts) as TaskStatus[]) {
    stats[status] = Number(counts[status]);
    stats.total += Number(counts[status]);
  }
  return stats;
}
