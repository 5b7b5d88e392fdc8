// The resolve hook of no-database.mjs, and the one rule both use.
const FORBIDDEN = [
  /\/(src|dist)\/(db|store)\//,
  /\/node_modules\/(postgres|drizzle-orm|@electric-sql\/pglite|pg)\//,
];

/** Why `url` may not be loaded, or undefined when it may. */
export function forbidden(url, parent) {
  if (FORBIDDEN.some((pattern) => pattern.test(url))) return `database code imported in a worker: ${url} (from ${parent ?? 'the entry point'})`;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  const problem = forbidden(resolved.url, context.parentURL);
  if (problem) throw new Error(problem);
  return resolved;
}
