// Checks a client's new task before anything is written: the kind exists, the numbers are in
// range, the input is JSON of acceptable size and acceptable to the kind. A refusal is
// INVALID_INPUT or UNKNOWN_TASK_KIND with a message that says what to change.
import { ClientError, invalidInput } from '../errors.js';
import type { NewTask } from '../store/index.js';
import { traceParentOf } from '../telemetry/trace-parent.js';
import type { TaskKind } from './kind.js';

/** What task intake needs to know about kinds (workers/catalog.ts knows it). */
export interface KindLookup {
  /** The local handler, for its input check; undefined for kinds only external workers serve. */
  get(kind: string): TaskKind | undefined;
  accepts(kind: string): boolean;
  names(): string[];
}

export interface TaskRequest {
  kind: string;
  input?: unknown;
  priority?: number | null;
  runAt?: Date | null;
  maxAttempts?: number | null;
  timeoutSeconds?: number | null;
  idempotencyKey?: string | null;
  queue?: string | null;
  concurrencyKey?: string | null;
  uniqueKey?: string | null;
  /** ACTIVE (default): the key is taken while the task is pending or running; FOR_SECONDS: for uniqueSeconds from creation. */
  uniqueWhile?: 'ACTIVE' | 'FOR_SECONDS' | null;
  uniqueSeconds?: number | null;
}

export const DEFAULTS = { priority: 0, maxAttempts: 3, timeoutSeconds: 1800 } as const;
const MAX_ATTEMPTS = 1000;
const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
const MAX_KEY_LENGTH = 512;
const MAX_UNIQUE_SECONDS = 366 * 24 * 3600;
const QUEUE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
export const DEFAULT_QUEUE = 'default';

/** A queue's name: 1 to 64 letters, digits, `.`, `_` or `-`. */
export function parseQueueName(name: string, field = 'queue'): string {
  if (!QUEUE_NAME.test(name)) throw invalidInput(`${field} must be 1 to 64 characters of letters, digits, ".", "_" and "-", got ${JSON.stringify(name)}`);
  return name;
}

function key(name: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value.length === 0 || value.length > MAX_KEY_LENGTH) throw invalidInput(`${name} must be 1 to ${MAX_KEY_LENGTH} characters`);
  if (value.includes('\u0000')) throw invalidInput(`${name} must not contain the NUL character`);
  return value;
}

/** uniqueKey, uniqueWhile and uniqueSeconds together: how long the key is taken (null: while active). */
function uniqueness(request: TaskRequest): { uniqueKey: string | null; uniqueSeconds: number | null } {
  const uniqueKey = key('uniqueKey', request.uniqueKey);
  const forSeconds = request.uniqueWhile === 'FOR_SECONDS';
  if (uniqueKey === null && (request.uniqueWhile != null || request.uniqueSeconds != null)) {
    throw invalidInput('uniqueWhile and uniqueSeconds need a uniqueKey');
  }
  if (!forSeconds && request.uniqueSeconds != null) throw invalidInput('uniqueSeconds goes with uniqueWhile: FOR_SECONDS');
  if (forSeconds && request.uniqueSeconds == null) throw invalidInput('uniqueWhile: FOR_SECONDS needs uniqueSeconds');
  return { uniqueKey, uniqueSeconds: forSeconds ? integerIn('uniqueSeconds', request.uniqueSeconds!, 1, MAX_UNIQUE_SECONDS) : null };
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidInput(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

export function prepareTask(request: TaskRequest, kinds: KindLookup, maxPayloadBytes: number): NewTask {
  if (!kinds.accepts(request.kind)) {
    throw new ClientError(
      'UNKNOWN_TASK_KIND',
      `Unknown task kind ${JSON.stringify(request.kind)}; known kinds: ${kinds.names().join(', ')}`,
    );
  }
  const kind = kinds.get(request.kind);
  const input = request.input ?? null;
  const json = JSON.stringify(input);
  if (Buffer.byteLength(json) > maxPayloadBytes) {
    throw invalidInput(`input is ${Buffer.byteLength(json)} bytes as JSON; the limit is ${maxPayloadBytes}`);
  }
  // Postgres jsonb cannot hold the NUL character; refuse it here rather than fail in the database.
  if (json.includes('\\u0000')) throw invalidInput('input must not contain the NUL character (\\u0000)');
  const problem = kind?.validate?.(input);
  if (problem) throw invalidInput(problem);

  if (request.runAt && Number.isNaN(request.runAt.getTime())) throw invalidInput('runAt is not a valid date');
  return {
    kind: request.kind,
    input,
    priority: integerIn('priority', request.priority ?? DEFAULTS.priority, -1000, 1000),
    runAt: request.runAt ?? null,
    maxAttempts: integerIn('maxAttempts', request.maxAttempts ?? DEFAULTS.maxAttempts, 1, MAX_ATTEMPTS),
    timeoutSeconds: integerIn('timeoutSeconds', request.timeoutSeconds ?? DEFAULTS.timeoutSeconds, 1, MAX_TIMEOUT_SECONDS),
    idempotencyKey: key('idempotencyKey', request.idempotencyKey),
    queue: parseQueueName(request.queue ?? DEFAULT_QUEUE),
    concurrencyKey: key('concurrencyKey', request.concurrencyKey),
    ...uniqueness(request),
    // Read here, in the resolver's context: the insert runs later, for a whole burst of requests.
    traceParent: traceParentOf(),
  };
}

/** Task ids are positive bigints; anything else is a client mistake, not a missing task. */
export function parseTaskId(id: string): string {
  if (!/^[1-9][0-9]{0,18}$/.test(id) || BigInt(id) > 9223372036854775807n) {
    throw invalidInput(`${JSON.stringify(id)} is not a task id`);
  }
  return id;
}

/** Flow ids, like task ids, are positive integers. */
export function parseFlowId(id: string | number): string {
  const text = String(id);
  if (!/^[1-9][0-9]{0,15}$/.test(text)) throw invalidInput(`${JSON.stringify(text)} is not a flow id`);
  return text;
}

/** Event cursors are event ids as decimal strings; "0" means from the beginning. */
export function parseCursor(cursor: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(cursor)) throw invalidInput(`${JSON.stringify(cursor)} is not an event cursor`);
  return Number(cursor);
}
