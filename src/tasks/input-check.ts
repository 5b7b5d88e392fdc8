// The input schemas of typed kinds, checked for every task of a create before anything is
// written (a Standard Schema may be asynchronous, so this runs ahead of the synchronous intake).
// Every failing path of every task is listed, in the message and in extensions.issues.
import { ClientError } from '../errors.js';
import type { KindLookup } from './intake.js';
import type { SchemaIssue } from './schemas.js';

export interface InputIssue extends SchemaIssue {
  /** Which task of the request: its index, or its ref in a flow; absent for a single task. */
  readonly task?: number | string;
}

/** The requests with each input as its schema gives it back, or INVALID_INPUT naming every issue. */
export async function checkInputs<T extends { kind: string; input?: unknown; ref?: string }>(
  requests: readonly T[],
  kinds: Pick<KindLookup, 'get'>,
  single = requests.length === 1,
): Promise<T[]> {
  if (!requests.some((r) => kinds.get(r.kind)?.input)) return [...requests];
  const issues: InputIssue[] = [];
  const checked = await Promise.all(
    requests.map(async (request, index) => {
      const schema = kinds.get(request.kind)?.input;
      if (!schema) return request;
      const result = await schema.check(request.input ?? null);
      if (result.ok) return { ...request, input: result.value };
      const task = single ? undefined : (request.ref ?? index);
      for (const issue of result.issues) issues.push(task === undefined ? issue : { task, ...issue });
      return request;
    }),
  );
  if (issues.length > 0) {
    const where = (i: InputIssue) => (i.task === undefined ? '' : `task ${JSON.stringify(i.task)} `);
    const message = issues.map((i) => `${where(i)}${i.path} ${i.message}`).join('; ');
    throw new ClientError('INVALID_INPUT', `input does not match its kind's schema: ${message}`, { issues });
  }
  return checked;
}
