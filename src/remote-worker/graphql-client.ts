// GraphQL over fetch, for a worker that holds no database connection. Two failures are kept apart
// because the worker answers them differently: a refusal (the server answered with a code, such as
// NOT_TASK_OWNER or WORKER_NOT_FOUND: act on it) and an unreachable server (no usable answer: try
// again after a backoff).

/** The server answered and refused: `code` is the error's extensions.code. */
export class GraphQLRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GraphQLRefusal';
  }
}

/** No usable answer: connection refused or dropped, no answer in time, or something that is not GraphQL. */
export class ServerUnreachable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerUnreachable';
  }
}

/**
 * Worth sending again later: the server was away, or failed on its side (its database away, say,
 * which it masks as INTERNAL_SERVER_ERROR). A refusal for the request itself would be refused again.
 */
export const isTransient = (error: unknown) =>
  error instanceof ServerUnreachable || (error instanceof GraphQLRefusal && error.code === 'INTERNAL_SERVER_ERROR');

export const refusalCode = (error: unknown) => (error instanceof GraphQLRefusal ? error.code : undefined);

export interface RequestOptions {
  /** Aborting it ends the request: it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** No answer within this is ServerUnreachable; default 30 s. */
  timeoutMs?: number;
}

export type GraphQLRequest = <T>(query: string, variables: Record<string, unknown>, options?: RequestOptions) => Promise<T>;

interface Answer {
  data?: unknown;
  errors?: Array<{ message?: string; extensions?: { code?: string } }>;
}

/** Why fetch failed, in a few words: undici hides the system error (ECONNREFUSED...) in its cause. */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}

export function createGraphQLClient(options: { url: string; apiKey?: string }): GraphQLRequest {
  const { url } = options;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  return async function request<T>(query: string, variables: Record<string, unknown>, requestOptions: RequestOptions = {}): Promise<T> {
    const { signal, timeoutMs = 30_000 } = requestOptions;
    // Serialized first: a value that is not JSON is the caller's mistake, not the server's absence.
    const body = JSON.stringify({ query, variables });
    if (signal?.aborted) throw signal.reason;
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new ServerUnreachable(`no answer from ${url} within ${timeoutMs} ms`)), timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: controller.signal });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (controller.signal.reason instanceof ServerUnreachable) throw controller.signal.reason;
      throw new ServerUnreachable(`cannot reach ${url}: ${reasonOf(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    let answer: Answer;
    try {
      answer = JSON.parse(text) as Answer;
    } catch {
      throw new ServerUnreachable(`${url} answered HTTP ${status} without a GraphQL response`);
    }
    const [first] = answer.errors ?? [];
    if (first) throw new GraphQLRefusal(first.extensions?.code ?? 'GRAPHQL_ERROR', first.message ?? 'refused');
    if (answer.data == null) throw new ServerUnreachable(`${url} answered HTTP ${status} without data`);
    return answer.data as T;
  };
}
