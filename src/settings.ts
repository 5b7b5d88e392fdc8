// createTaskServer's options are the environment variables under camelCase names (DATABASE_URL is
// databaseUrl, EXECUTOR_CONCURRENCY executorConcurrency): turned back into variables and read by
// loadConfig, an option gets exactly the checks, defaults and error messages its variable has, and a
// variable still applies where the option is unset.
import { ConfigError } from './config.js';

/** Every setting, by option name, with the variable it stands for. */
const VARIABLES = {
  databaseUrl: 'DATABASE_URL',
  listenDatabaseUrl: 'LISTEN_DATABASE_URL',
  databasePrepare: 'DATABASE_PREPARE',
  databasePoolSize: 'DATABASE_POOL_SIZE',
  databaseProbeSeconds: 'DATABASE_PROBE_SECONDS',
  dataDir: 'DATA_DIR',
  host: 'HOST',
  port: 'PORT',
  logLevel: 'LOG_LEVEL',
  executorConcurrency: 'EXECUTOR_CONCURRENCY',
  executorPrefetch: 'EXECUTOR_PREFETCH',
  executorStartOnCreate: 'EXECUTOR_START_ON_CREATE',
  workerName: 'WORKER_NAME',
  leaseSeconds: 'LEASE_SECONDS',
  pollIntervalMs: 'POLL_INTERVAL_MS',
  retryBackoffMs: 'RETRY_BACKOFF_MS',
  retryBackoffMaxMs: 'RETRY_BACKOFF_MAX_MS',
  shutdownGraceSeconds: 'SHUTDOWN_GRACE_SECONDS',
  maxPayloadBytes: 'MAX_PAYLOAD_BYTES',
  subscriptionBuffer: 'SUBSCRIPTION_BUFFER',
  taskLogMaxLines: 'TASK_LOG_MAX_LINES',
  taskLogMaxBytes: 'TASK_LOG_MAX_BYTES',
  eventRetention: 'EVENT_RETENTION',
  taskRetention: 'TASK_RETENTION',
  apiKeys: 'API_KEYS',
  apiKeysFile: 'API_KEYS_FILE',
  corsOrigins: 'CORS_ORIGINS',
  maxQueryDepth: 'MAX_QUERY_DEPTH',
  maxQueryFields: 'MAX_QUERY_FIELDS',
  maxBodyBytes: 'MAX_BODY_BYTES',
  maxSubscriptionsPerSocket: 'MAX_SUBSCRIPTIONS_PER_SOCKET',
  maxSocketsPerAddress: 'MAX_SOCKETS_PER_ADDRESS',
  socketInitTimeoutMs: 'SOCKET_INIT_TIMEOUT_MS',
  maxBackfill: 'MAX_BACKFILL',
  schedulesFile: 'SCHEDULES_FILE',
} as const;

export interface ApiKeySetting {
  name: string;
  /** At least 16 characters; clients send it as Authorization: Bearer <key>. */
  key: string;
  scopes: Array<'read' | 'write' | 'worker' | 'admin'>;
}

type Value = string | number | boolean;
/** The settings of a server; see the README's Configuration for what each does and its default. */
export type TaskServerSettings = { [K in Exclude<keyof typeof VARIABLES, 'apiKeys' | 'corsOrigins'>]?: Value } & {
  apiKeys?: ApiKeySetting[] | string;
  corsOrigins?: string[] | string;
};

/** Variables that exclude each other: an option for one sets the other aside, as the app meant. */
const SIBLINGS: Record<string, string> = { API_KEYS: 'API_KEYS_FILE', API_KEYS_FILE: 'API_KEYS' };

/** The environment with the given settings laid over it. */
export function settingsAsEnv(settings: Record<string, unknown>, env: Record<string, string | undefined>): Record<string, string | undefined> {
  const merged = { ...env };
  for (const [option, value] of Object.entries(settings)) {
    const variable = (VARIABLES as Record<string, string>)[option];
    if (!variable) throw new ConfigError(`unknown setting ${JSON.stringify(option)}; the settings are ${Object.keys(VARIABLES).join(', ')}`);
    if (value === undefined) continue;
    if (SIBLINGS[variable]) delete merged[SIBLINGS[variable]];
    if (option === 'corsOrigins' && Array.isArray(value)) merged[variable] = value.join(',');
    else if (typeof value === 'object' && value !== null) merged[variable] = JSON.stringify(value);
    else merged[variable] = String(value);
  }
  return merged;
}
