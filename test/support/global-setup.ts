// Once per run: find Postgres, and build a migrated template database that each test file clones
// (CREATE DATABASE ... TEMPLATE is far faster than migrating per file). Without Postgres the run
// goes on with the PGlite tests only, unless REQUIRE_POSTGRES=1 (CI), where that is a failure.
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { connect } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logger.js';
import { startPgBouncer } from './pooler.js';

// One template per run: two checkouts running the suite against the same Postgres at once must not
// drop each other's template (the worker processes learn the name through inject).
const TEMPLATE = `task_executor_test_template_${process.pid}`;

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
    templateDatabase: string;
    /** The PgBouncer the servers go through (TEST_THROUGH_POOLER=1), or null. */
    poolerPort: number | null;
  }
}

export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = postgres(adminUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await admin`SELECT 1`;
  } catch (error) {
    await admin.end({ timeout: 1 }).catch(() => {});
    if (process.env.REQUIRE_POSTGRES === '1') {
      throw new Error(`REQUIRE_POSTGRES=1 but Postgres at ${adminUrl} is not reachable: ${(error as Error).message}`);
    }
    console.warn(`\nPostgres at ${adminUrl} is not reachable: the tests that need it are SKIPPED; PGlite tests run.\n`);
    project.provide('postgresUrl', null);
    project.provide('poolerPort', null);
    return;
  }
  await admin.unsafe(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${TEMPLATE}`);
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE}`;
  const db = await connect({ databaseUrl: url.toString(), dataDir: '', poolSize: 2, log: createLogger('silent') });
  await migrate(db);
  await db.close();
  await admin.end();
  project.provide('postgresUrl', adminUrl);
  project.provide('templateDatabase', TEMPLATE);
  const pooler = process.env.TEST_THROUGH_POOLER === '1' ? await startPgBouncer(adminUrl) : undefined;
  project.provide('poolerPort', pooler?.port ?? null);
  return async () => {
    pooler?.stop();
    const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await cleanup.unsafe(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`).catch(() => {});
    await cleanup.end();
  };
}
