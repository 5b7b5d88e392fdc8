// The input schemas of typed kinds, checked for every task of a create before anything is
// written (a Standard Schema may be asynchronous, so this runs ahead of the synchronous intake).
// Every failing path of every task is listed, in the message and in extensions.issues. The input
// is stored as given: it is checked again before each run, and the value the schema gives back (a
// transform's, with defaults) is what the handler gets then (src/kinds/checked-run.ts).
import { ClientError } from '../errors.js';
import type { KindLookup } from './intake.js';
import type { SchemaIssue } from './schemas.js';

export interface InputIssue extends SchemaIssue {
  /** Which task of the request: its index, or its ref in a flow; absent for a single task. */
  readonly task?: number | string;
}

/** Nothing when every input passes its kind's schema; else INVALID_INPUT naming every issue. */
export async function checkInputs(
  requests: ReadonlyArray<{ kind: string; input?: unknown; ref?: string }>,
  kinds: Pick<KindLookup, 'get'>,
  single = requests.length === 1,
): Promise<void> {
  if (!requests.some((r) => kinds.get(r.kind)?.input)) return;
  const issues: InputIssue[] = [];
  await Promise.all(
    requests.map(async (request, index) => {
      const result = await kinds.get(request.kind)?.input?.check(request.input ?? null);
      if (!result || result.ok) return;
      const task = single ? undefined : (request.ref ?? index);
      for (const issue of result.issues) issues.push(task === undefined ? issue : { task, ...issue });
    }),
  );
  if (issues.length > 0) {
    const where = (i: InputIssue) => (i.task === undefined ? '' : `task ${JSON.stringify(i.task)} `);
    const message = issues.map((i) => `${where(i)}${i.path} ${i.message}`).join('; ');
    throw new ClientError('INVALID_INPUT', `input does not match its kind's schema: ${message}`, { issues });
  }
}
