// A client mistake carries a stable code that reaches GraphQL `extensions.code`; anything else is a
// server fault, logged with its stack and masked for the client.

export type ErrorCode =
  | 'UNKNOWN_TASK_KIND'
  | 'INVALID_INPUT'
  | 'SUBSCRIBER_TOO_SLOW'
  | 'CURSOR_EXPIRED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BACKFILL_LIMIT'
  | 'WORKER_NOT_FOUND'
  | 'WORKER_NOT_ACTIVE'
  | 'NOT_TASK_OWNER'
  | 'FLOW_NOT_FOUND'
  | 'SCHEDULE_NOT_FOUND';

export class ClientError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** More for the client's code than the message says (for example every failing path), in extensions. */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

export function invalidInput(message: string): ClientError {
  return new ClientError('INVALID_INPUT', message);
}
