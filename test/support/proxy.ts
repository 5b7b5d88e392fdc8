// A TCP proxy the test controls, between a client and its server, or a server and Postgres:
// cut() drops every connection and refuses new ones until restore(), as a network failure would;
// blackhole() keeps every connection open but lets no byte through, old or new, as a half-open
// link would.
import net from 'node:net';

export async function startProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let cut = false;
  let blackholed = false;
  const pipes = new Set<() => void>();
  let accepted = 0;
  const server = net.createServer((client) => {
    if (cut) return client.destroy();
    accepted++;
    if (blackholed) {
      client.on('error', () => {});
      sockets.add(client);
      return;
    }
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    // Going silent: stop forwarding in both directions, for good, without closing anything.
    pipes.add(() => {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    /** Connections let through so far. */
    accepted: () => accepted,
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    blackhole() {
      blackholed = true;
      for (const silence of pipes) silence();
      pipes.clear();
    },
    restore() {
      cut = false;
      blackholed = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
