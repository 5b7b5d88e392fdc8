// Servers as processes for one test file, each killed after the test that started it.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { connect, type Database } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { freshDatabase, poolerPort } from './db.js';
import { serverDatabase } from './pooler.js';
import { spawnServer, type ServerProcess } from './process.js';

/**
 * For a file whose tests run servers as processes: a fresh database, a connection of the file's own
 * to it, and start(env) for servers on it, each killed after the test that started it.
 */
export function serversForFile(defaults: Record<string, string> = {}) {
  let url = '';
  let drop: (() => Promise<void>) | undefined;
  let db: Database | undefined;
  const servers: ServerProcess[] = [];
  beforeAll(async () => {
    ({ url, drop } = await freshDatabase());
    db = await connect({ databaseUrl: url, dataDir: '', poolSize: 2, log: createLogger('silent') });
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server.exited;
    }
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });
  return {
    get db(): Database {
      if (!db) throw new Error('serversForFile: the database is used before beforeAll made it');
      return db;
    },
    async start(env: Record<string, string>): Promise<ServerProcess> {
      const server = await spawnServer({ ...serverDatabase(url, poolerPort), ...defaults, ...env });
      servers.push(server);
      return server;
    },
  };
}
