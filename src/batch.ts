// Reads of many rows by id asked for in one turn of the event loop, made in one statement: the
// resolvers' (a page's tasks' dependencies, a claim's flows) and the executor's (the dependencies
// of the tasks one claim starts). Nothing is kept afterwards: a subscription's context lives for
// hours, and a kept row would go stale.
type Callers<V> = Map<string, Array<{ resolve(value: V | null): void; reject(error: unknown): void }>>;

export function batched<V>(load: (ids: readonly string[]) => Promise<Map<string, V>>): (id: string) => Promise<V | null> {
  let waiting: Callers<V> | null = null;
  return (id) =>
    new Promise((resolve, reject) => {
      if (!waiting) {
        const batch: Callers<V> = (waiting = new Map());
        setImmediate(() => {
          waiting = null;
          load([...batch.keys()]).then(
            (found) => batch.forEach((callers, key) => callers.forEach((c) => c.resolve(found.get(key) ?? null))),
            (error) => batch.forEach((callers) => callers.forEach((c) => c.reject(error))),
          );
        });
      }
      const callers = waiting.get(id) ?? [];
      callers.push({ resolve, reject });
      waiting.set(id, callers);
    });
}
