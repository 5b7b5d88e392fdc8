// Every setting comes from the environment, parsed and validated once at start. A bad value stops
// the server with one line naming the variable, instead of surfacing later as a strange failure.

import { readFileSync } from 'node:fs';
import { parseKeys, type StoredKey } from './auth.js';
import { readSchedulesFile, ScheduleFileError } from './schedules/file.js';
import type { ScheduleRequest } from './schedules/intake.js';

export interface Config {
  /** postgres:// URL; unset means the embedded PGlite database in dataDir. */
  readonly databaseUrl: string | undefined;
  /** A session-mode URL for LISTEN when databaseUrl goes through a transaction-mode pooler. */
  readonly listenDatabaseUrl: string | undefined;
  /** Named prepared statements (off behind a transaction-mode pooler that does not keep them). */
  readonly databasePrepare: boolean;
  readonly databasePoolSize: number;
  /** Connections are probed this often; one unanswered this long is replaced (half-open links). */
  readonly databaseProbeSeconds: number;
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly executorConcurrency: number;
  /** Tasks claimed ahead of free slots, for throughput with many short tasks: a fixed number, or 'auto' (the default, adaptive). */
  readonly executorPrefetch: number | 'auto';
  /** Tasks created through this process start in its executor's free slots without a claim. */
  readonly executorStartOnCreate: boolean;
  /** How this process's executor is listed among the workers; default host:pid. */
  readonly workerName: string | undefined;
  readonly taskLogs: Readonly<{ maxLines: number; maxBytes: number }>;
  readonly leaseSeconds: number;
  readonly pollIntervalMs: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly shutdownGraceSeconds: number;
  readonly maxPayloadBytes: number;
  readonly subscriptionBuffer: number;
  /** Events older than this are pruned; a cursor older than the pruned range is CURSOR_EXPIRED. */
  readonly eventRetentionSeconds: number;
  /** Finished tasks older than this are deleted; undefined keeps them forever. */
  readonly taskRetentionSeconds: number | undefined;
  /** Hashes of the API keys; empty means the server is open (and warns so). */
  readonly apiKeys: readonly StoredKey[];
  /** Origins allowed by CORS; undefined: any when open, same-origin only with keys. */
  readonly corsOrigins: readonly string[] | undefined;
  readonly limits: Limits;
  /** SCHEDULES_FILE: the schedules declared at every start (checked here but for their kinds). */
  readonly schedulesFile: Readonly<{ path: string; schedules: readonly ScheduleRequest[] }> | undefined;
}

/** Each refusal has its own error code; see README "Limits". */
export interface Limits {
  readonly maxQueryDepth: number;
  readonly maxQueryFields: number;
  readonly maxBodyBytes: number;
  readonly maxSubscriptionsPerSocket: number;
  readonly maxSocketsPerAddress: number;
  readonly socketInitTimeoutMs: number;
  readonly maxBackfill: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** EXECUTOR_PREFETCH: unset, empty or `auto` for the adaptive default, else a fixed count. */
function prefetchSetting(env: Env): number | 'auto' {
  const raw = env.EXECUTOR_PREFETCH?.trim() ?? '';
  if (raw === '' || raw.toLowerCase() === 'auto') return 'auto';
  if (!/^\d+$/.test(raw)) throw new ConfigError(`EXECUTOR_PREFETCH must be auto or an integer from 0 to 10000, got ${JSON.stringify(env.EXECUTOR_PREFETCH)}`);
  return int(env, 'EXECUTOR_PREFETCH', 0, 0, 10_000);
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(env[name])}`);
}

function url(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a postgres:// URL`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(`${name} must be a postgres:// URL, got protocol ${parsed.protocol}`);
  }
  return raw;
}

function keys(env: Env): StoredKey[] {
  const inline = env.API_KEYS?.trim();
  const file = env.API_KEYS_FILE?.trim();
  if (inline && file) throw new ConfigError('set API_KEYS or API_KEYS_FILE, not both');
  const name = inline ? 'API_KEYS' : 'API_KEYS_FILE';
  let json = inline;
  if (file) {
    try {
      json = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`API_KEYS_FILE cannot be read: ${(error as Error).message}`);
    }
  }
  if (!json) return [];
  try {
    return parseKeys(json);
  } catch (error) {
    throw new ConfigError(`${name} ${(error as Error).message}`);
  }
}

function schedulesFile(env: Env, maxPayloadBytes: number): Config['schedulesFile'] {
  const path = env.SCHEDULES_FILE?.trim();
  if (!path) return undefined;
  try {
    return Object.freeze({ path, schedules: Object.freeze(readSchedulesFile(path, maxPayloadBytes)) });
  } catch (error) {
    if (error instanceof ScheduleFileError) throw new ConfigError(`SCHEDULES_FILE ${path}: ${error.message}`);
    throw error;
  }
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A duration like 90s, 30m, 12h or 7d. */
function duration(env: Env, name: string, fallback: number | undefined): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const match = /^(\d+)([smhd])$/.exec(raw);
  if (!match || Number(match[1]) === 0) {
    throw new ConfigError(`${name} must be a duration like 90s, 30m, 12h or 7d, got ${JSON.stringify(raw)}`);
  }
  return Number(match[1]) * UNITS[match[2]];
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): Config {
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }
  const leaseSeconds = int(env, 'LEASE_SECONDS', 30, 2, 86_400);
  const apiKeys = keys(env);
  const corsOrigins = env.CORS_ORIGINS?.trim()
    ? env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean)
    : undefined;
  const eventRetentionSeconds = duration(env, 'EVENT_RETENTION', 7 * 86_400)!;
  const taskRetentionSeconds = duration(env, 'TASK_RETENTION', undefined);
  // A task's events are all older than its finish; keeping tasks at least as long as events means
  // no stored event ever points at a deleted task.
  if (taskRetentionSeconds !== undefined && taskRetentionSeconds < eventRetentionSeconds) {
    throw new ConfigError('TASK_RETENTION must be at least EVENT_RETENTION');
  }
  const maxPayloadBytes = int(env, 'MAX_PAYLOAD_BYTES', 1_048_576, 1024, 256 * 1_048_576);
  return Object.freeze({
    databaseUrl: url(env, 'DATABASE_URL'),
    listenDatabaseUrl: url(env, 'LISTEN_DATABASE_URL'),
    databasePrepare: flag(env, 'DATABASE_PREPARE', true),
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, 2, 1000),
    databaseProbeSeconds: int(env, 'DATABASE_PROBE_SECONDS', 5, 1, 3600),
    dataDir: env.DATA_DIR?.trim() || './.data',
    // An open server (no keys) is reachable only from this machine unless HOST says otherwise.
    host: env.HOST?.trim() || (apiKeys.length ? '0.0.0.0' : '127.0.0.1'),
    port: int(env, 'PORT', 4000, 0, 65_535),
    logLevel,
    executorConcurrency: int(env, 'EXECUTOR_CONCURRENCY', 4, 0, 10_000),
    executorPrefetch: prefetchSetting(env),
    executorStartOnCreate: flag(env, 'EXECUTOR_START_ON_CREATE', true),
    workerName: env.WORKER_NAME?.trim() || undefined,
    leaseSeconds,
    pollIntervalMs: int(env, 'POLL_INTERVAL_MS', 1000, 10, 3_600_000),
    retryBackoffMs: int(env, 'RETRY_BACKOFF_MS', 1000, 0, 86_400_000),
    retryBackoffMaxMs: int(env, 'RETRY_BACKOFF_MAX_MS', 3_600_000, 0, 604_800_000),
    shutdownGraceSeconds: int(env, 'SHUTDOWN_GRACE_SECONDS', 10, 0, 86_400),
    maxPayloadBytes,
    subscriptionBuffer: int(env, 'SUBSCRIPTION_BUFFER', 1000, 10, 1_000_000),
    taskLogs: Object.freeze({
      maxLines: int(env, 'TASK_LOG_MAX_LINES', 1000, 1, 1_000_000),
      maxBytes: int(env, 'TASK_LOG_MAX_BYTES', 1_048_576, 1024, 1024 * 1_048_576),
    }),
    eventRetentionSeconds,
    taskRetentionSeconds,
    apiKeys,
    corsOrigins,
    limits: Object.freeze({
      maxQueryDepth: int(env, 'MAX_QUERY_DEPTH', 12, 2, 100),
      maxQueryFields: int(env, 'MAX_QUERY_FIELDS', 500, 10, 100_000),
      maxBodyBytes: int(env, 'MAX_BODY_BYTES', 16 * 1_048_576, 1024, 1024 * 1_048_576),
      maxSubscriptionsPerSocket: int(env, 'MAX_SUBSCRIPTIONS_PER_SOCKET', 100, 1, 100_000),
      maxSocketsPerAddress: int(env, 'MAX_SOCKETS_PER_ADDRESS', 1000, 1, 1_000_000),
      socketInitTimeoutMs: int(env, 'SOCKET_INIT_TIMEOUT_MS', 3000, 100, 600_000),
      maxBackfill: int(env, 'MAX_BACKFILL', 10_000, 100, 10_000_000),
    }),
    schedulesFile: schedulesFile(env, maxPayloadBytes),
  });
}
