import { createServer } from 'node:net';

/** A port nothing listens on now: a fixed one can be taken by any socket in the ephemeral range. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
