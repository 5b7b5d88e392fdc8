// Queries and mutations over HTTP POST /graphql. A refusal becomes an ApiError carrying the error's
// extensions.code, which the views show next to the message.
import { bearer } from './auth';
import type { TypedDocumentString } from './graphql/generated';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
  /** "CODE: message", the way every error is shown. */
  describe(): string {
    return `${this.code}: ${this.message}`;
  }
}

export const describeError = (error: unknown) => (error instanceof ApiError ? error.describe() : String((error as Error)?.message ?? error));

/** Called on UNAUTHENTICATED, so the page can ask for a key again. */
let onUnauthenticated: () => void = () => {};
export const whenUnauthenticated = (fn: () => void) => (onUnauthenticated = fn);

/** Sends a typed document (graphql/generated.ts): its result and variables are typed from the schema. */
export async function gql<T, V>(document: TypedDocumentString<T, V>, ...[variables]: V extends Record<string, never> ? [] : [NoInfer<V>]): Promise<T> {
  const query = document.toString();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const authorization = bearer();
  if (authorization) headers.authorization = authorization;
  let response: Response;
  try {
    response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new ApiError('The server cannot be reached', 'NETWORK_ERROR');
  }
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The server answered ${response.status} without a GraphQL response`, `HTTP_${response.status}`);
  }
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? 'ERROR';
    if (code === 'UNAUTHENTICATED') onUnauthenticated();
    throw new ApiError(first.message, code);
  }
  return body.data as T;
}
