// The database connection is cut, or silently black-holed, for 5 s while tasks run and a
// subscriber follows every event:
// everything recovers by itself, no task is lost or run twice in one attempt, the subscriber has
// every event once, and /ready says 503 during the cut and 200 after.
import { afterAll, beforeAll, it } from 'vitest';
import { connect, type Database } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { describePg, freshDatabase } from './support/db.js';
import { startProxy } from './support/proxy.js';
import { startApp, type TestApp } from './support/app.js';
import { recordingKind, survive } from './support/faults.js';

const runs: string[] = [];
const work = recordingKind(runs);

describePg('database faults', () => {
  let app: TestApp;
  let direct: Database;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshDatabase();
    drop = fresh.drop;
    direct = await connect({ databaseUrl: fresh.url, dataDir: '', poolSize: 2, log: createLogger('silent') });
    proxy = await startProxy({ host: '127.0.0.1', port: Number(new URL(fresh.url).port || 5432) });
    const through = new URL(fresh.url);
    through.port = String(proxy.port);
    app = await startApp(
      { DATABASE_URL: through.toString(), EXECUTOR_CONCURRENCY: '8', LEASE_SECONDS: '6', SUBSCRIPTION_BUFFER: '100000', DATABASE_PROBE_SECONDS: '1' },
      { work },
    );
  });
  afterAll(async () => {
    await app?.stop();
    await proxy?.close();
    await direct?.close();
    await drop?.();
  });



  it('recovers from a 5 s cut with nothing lost and nothing run twice in one attempt', () => survive(app, direct, () => proxy.cut(), () => proxy.restore(), runs));

  it('detects a half-open link (packets black-holed) and recovers the same way', () => survive(app, direct, () => proxy.blackhole(), () => proxy.restore(), runs));
});
