// The task kinds this server accepts: those with a handler in this process, and those some
// registered external worker serves. The external ones are cached; a kind missing from the cache
// is looked up in the database before it is refused, so a worker registered through another
// process a moment ago is never refused here.
import type { Store } from '../store/index.js';
import type { Registry } from '../tasks/handlers.js';
import type { KindLookup } from '../tasks/intake.js';

export function createKindCatalog(registry: Registry, store: Store) {
  let external = new Set<string>();
  const accepts = (kind: string) => registry.get(kind) !== undefined || external.has(kind);
  const names = () => [...new Set([...registry.kinds(), ...external])].sort();

  async function refresh() {
    external = new Set(await store.workers.externalKinds());
  }

  const catalog = {
    get: (kind: string) => registry.get(kind),
    accepts,
    names,
    /** Makes sure the cache knows every kind it can before `accepts` is asked about these. */
    async ensure(kinds: Iterable<string>) {
      for (const kind of kinds) {
        if (!accepts(kind)) return refresh();
      }
    },
    async list(): Promise<string[]> {
      await refresh();
      return names();
    },
    add(kinds: readonly string[]) {
      for (const kind of kinds) external.add(kind);
    },
  } satisfies KindLookup & Record<string, unknown>;
  return catalog;
}

export type KindCatalog = ReturnType<typeof createKindCatalog>;
