// Loads an app's kinds module (serve --kinds, worker --kinds, TASK_KINDS): every export that is a
// task kind, named by defineKind or else by its export name; a default export may also be an array
// or an object of kinds. A module that cannot be loaded, or holds no kind, stops the start with a
// message naming the file.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KIND_NAME, type TaskKind } from '../tasks/kind.js';

export class KindsModuleError extends Error {}

const isKind = (value: unknown): value is TaskKind =>
  typeof value === 'object' && value !== null && typeof (value as TaskKind).run === 'function';

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
  for (const [name, kind] of found) {
    if (!KIND_NAME.test(name)) throw new KindsModuleError(`${file}: ${JSON.stringify(name)} is not a valid kind name; give it one with defineKind({ name })`);
    if (kinds[name] && kinds[name] !== kind) throw new KindsModuleError(`${file}: two different kinds are named ${JSON.stringify(name)}`);
    kinds[name] = kind;
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
