// Shared by the Relay connections: a page's nodes without the edges, for clients that only want
// the items.
export async function pageNodes<T>(connection: { edges: unknown }): Promise<T[]> {
  const edges = ((await connection.edges) ?? []) as Iterable<{ node: T | Promise<T> } | null>;
  const nodes: T[] = [];
  for await (const edge of edges) if (edge) nodes.push(await edge.node);
  return nodes;
}
