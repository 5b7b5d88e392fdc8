// Limits and clean-ups that several parts apply alike: the GraphQL API, the external-worker
// protocol and the embedded executor refuse or trim the same things the same way.

/** Tasks a worker may run at once. */
export const MAX_CONCURRENCY = 10_000;

/** Characters of a log line, a progress message or an error message that are kept. */
export const MAX_MESSAGE_CHARS = 16_384;

/** Characters of an error message built from a value a handler threw, or from a refusal. */
export const MAX_ERROR_CHARS = 4096;

/** Postgres text and jsonb cannot hold NUL; a stray one must not cost a line, a message or a code. */
export const withoutNul = (value: unknown) => String(value).replaceAll('\u0000', '');

/** A message as it is stored: no NUL, at most MAX_MESSAGE_CHARS. */
export const storedMessage = (value: unknown) => withoutNul(value).slice(0, MAX_MESSAGE_CHARS);
