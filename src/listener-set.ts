/** Listeners to one kind of happening: `add` returns the function that removes the listener. */
export function createListenerSet<A extends unknown[] = []>() {
  const listeners = new Set<(...args: A) => void>();
  return {
    add(listener: (...args: A) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(...args: A) {
      for (const listener of listeners) listener(...args);
    },
  };
}
