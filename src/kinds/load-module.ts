// Loads an app's kinds module (serve --kinds, worker --kinds, TASK_KINDS): every export that is a
// task kind, named by defineKind or else by its export name; a default export may also be an array
// or an object of kinds. A module that cannot be loaded, or holds no kind, stops the start with a
// message naming the file.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KIND_NAME, type TaskKind } from '../tasks/kind.js';
import { isKindSchema, toKindSchema, type KindSchema, type SchemaSource } from '../tasks/schemas.js';

export class KindsModuleError extends Error {}

const isKind = (value: unknown): value is TaskKind =>
  typeof value === 'object' && value !== null && typeof (value as TaskKind).run === 'function';

/** A kind written as a plain object with schemas as written (zod, JSON Schema) carries them as checks. */
function withChecks(name: string, kind: TaskKind, file: string): TaskKind {
  if ((kind.input === undefined || isKindSchema(kind.input)) && (kind.result === undefined || isKindSchema(kind.result))) return kind;
  const checked = (schema: unknown, what: string) => (schema === undefined ? undefined : toKindSchema(schema as SchemaSource, `${name}.${what}`));
  try {
    return { ...kind, input: checked(kind.input, 'input'), result: checked(kind.result, 'result') };
  } catch (error) {
    throw new KindsModuleError(`${file}: ${(error as Error).message}`);
  }
}

/** A kind as an app may give it: made by defineKind, or a plain object whose schemas are as written. */
export type KindExport = Omit<TaskKind, 'input' | 'result'> & { input?: SchemaSource | KindSchema; result?: SchemaSource | KindSchema };

/** The kinds an app gives: an array of kinds named by defineKind (or carrying a name), or an object of kinds by name. */
export type KindsGiven = readonly KindExport[] | Readonly<Record<string, KindExport>>;

/** The kinds given to createTaskServer or runRemoteWorker, by name. */
export function kindsByName(kinds: KindsGiven | undefined): Record<string, TaskKind> {
  if (!kinds || Object.keys(kinds).length === 0) return {};
  return kindsOf(Array.isArray(kinds) ? { default: kinds } : (kinds as Record<string, unknown>), 'kinds');
}

/** The kinds a module's exports hold, by name. */
export function kindsOf(exports: Record<string, unknown>, file = 'the kinds module'): Record<string, TaskKind> {
  const found: Array<[string, TaskKind]> = [];
  const add = (fallbackName: string, value: unknown) => {
    if (isKind(value)) found.push([value.name ?? fallbackName, value]);
  };
  for (const [exportName, value] of Object.entries(exports)) {
    if (exportName === 'default' && Array.isArray(value)) value.forEach((kind, i) => add(`default[${i}]`, kind));
    else if (exportName === 'default' && !isKind(value) && typeof value === 'object' && value !== null) {
      for (const [key, kind] of Object.entries(value)) add(key, kind);
    } else add(exportName, value);
  }
  const kinds: Record<string, TaskKind> = {};
  const seen = new Map<string, TaskKind>();
  for (const [name, kind] of found) {
    if (!KIND_NAME.test(name)) throw new KindsModuleError(`${file}: ${JSON.stringify(name)} is not a valid kind name; give it one with defineKind({ name })`);
    if (kinds[name] && seen.get(name) !== kind) throw new KindsModuleError(`${file}: two different kinds are named ${JSON.stringify(name)}`);
    seen.set(name, kind);
    kinds[name] = withChecks(name, kind, file);
  }
  if (Object.keys(kinds).length === 0) {
    throw new KindsModuleError(`${file} exports no task kinds: export kinds made with defineKind({ name, run }) (or objects with a run function)`);
  }
  return kinds;
}

/** Imports the module at `file` (relative to the working directory) and returns its kinds. */
export async function loadKindsModule(file: string): Promise<Record<string, TaskKind>> {
  let exports: Record<string, unknown>;
  try {
    exports = await import(pathToFileURL(resolve(file)).href);
  } catch (error) {
    throw new KindsModuleError(`the kinds module ${file} could not be loaded: ${(error as Error).message}`);
  }
  return kindsOf(exports, `the kinds module ${file}`);
}
