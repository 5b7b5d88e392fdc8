// The one place that decides what a client sees of an error. Client mistakes keep their message
// and get a stable extensions.code; server faults are logged with their stack and masked.
import { GraphQLError } from 'graphql';
import { ClientError } from '../errors.js';
import type { Logger } from '../logger.js';
import { DependenciesNotFound, TaskInWrongState, TaskNotFound, UniqueKeyTaken } from '../store/index.js';

/** The code a client sees for what the store refused; undefined for anything else. */
function storeCode(error: unknown): string | undefined {
  if (error instanceof TaskNotFound) return 'TASK_NOT_FOUND';
  if (error instanceof DependenciesNotFound) return 'INVALID_INPUT';
  if (error instanceof UniqueKeyTaken) return 'TASK_NOT_RETRYABLE';
  if (error instanceof TaskInWrongState) return error.change === 'retry' ? 'TASK_NOT_RETRYABLE' : 'TASK_FINISHED';
}

export function createErrorMasker(log: Logger) {
  return (error: unknown): Error => {
    const graphqlError = error instanceof GraphQLError ? error : undefined;
    const original = graphqlError?.originalError ?? error;
    const at = { nodes: graphqlError?.nodes, path: graphqlError?.path, source: graphqlError?.source, positions: graphqlError?.positions };
    const code = original instanceof ClientError ? original.code : storeCode(original);
    const details = original instanceof ClientError ? original.details : undefined;
    if (code) return new GraphQLError((original as Error).message, { ...at, extensions: { ...details, code } });
    // Pothos rejects bad connection arguments (first: -1, ...) with its own error type.
    if (original instanceof Error && original.name === 'PothosValidationError') {
      return new GraphQLError(original.message, { ...at, extensions: { code: 'INVALID_INPUT' } });
    }
    if (graphqlError && original instanceof GraphQLError) return withCode(graphqlError);
    log.error({ err: original, path: graphqlError?.path }, 'unexpected error while resolving');
    return new GraphQLError('Unexpected error.', { ...at, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
}

/** Errors graphql-js raises itself (syntax, validation, variables) get a code too. */
function withCode(error: GraphQLError): GraphQLError {
  if (error.extensions?.code) return error;
  // A GraphQLError raised while coercing input (a variable, a scalar, an argument) is bad input;
  // one without a cause is graphql-js rejecting the document itself.
  const code =
    error.originalError || /^Variable "\$/.test(error.message) ? 'INVALID_INPUT' : 'GRAPHQL_VALIDATION_FAILED';
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}
