// Wires the parts in order: database -> migrations -> store -> event pump -> executor -> server,
// and stops them in reverse. main.ts runs it from the environment; tests run it in-process.
import type { Config } from './config.js';
import { connect, type Database } from './db/client.js';
import { migrate, migrationsApplied } from './db/migrate.js';
import type { Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { schemaFor } from './graphql/schema.js';
import { createServer } from './server.js';
import { createStore } from './store/index.js';
import { createTaskCreator } from './tasks/creator.js';
import { keepRetention } from './tasks/retention.js';
import { createEventPump } from './tasks/events.js';
import { createExecutor } from './tasks/executor.js';
import { createRegistry, type Registry } from './tasks/handlers.js';
import { createSubscriptions } from './tasks/subscriptions.js';
import { createKindCatalog } from './workers/catalog.js';
import { createExternalWorkers } from './workers/external.js';
import { createWorkerHub } from './workers/hub.js';
import { createQueueHub } from './queues/hub.js';
import { declareSchedules } from './schedules/file.js';
import { createScheduler } from './schedules/scheduler.js';
import { startTracing, type Tracing } from './telemetry/setup.js';

/** `env` holds the OTEL_* variables tracing reads (the process's, unless createTaskServer was given its own). */
export async function createApp(config: Config, log: Logger, registry: Registry = createRegistry(), env: Record<string, string | undefined> = process.env) {
  const db = await connectAndMigrate(config, log);
  const store = createStore(db, { logs: config.taskLogs });
  const metrics = createMetrics();
  const pump = createEventPump({ db, store, log, pollIntervalMs: config.pollIntervalMs, onNotify: metrics.notified });
  const executor = createExecutor({
    ...config, store, pump, registry, log, metrics: metrics.tasks,
    concurrency: config.executorConcurrency, prefetch: config.executorPrefetch, startOnCreate: config.executorStartOnCreate,
  });
  const kinds = createKindCatalog(registry, store);
  const workers = createWorkerHub({ db, store, log });
  const queues = createQueueHub({ db, store, log });
  const scheduler = createScheduler({ db, store, log, onCreated: metrics.tasks.created });
  /** Subscription streams open in this process (taskEvents, taskUpdated, workerUpdated, queueUpdated). */
  const streams = () => subscriptions.active() + workers.streams() + queues.streams();
  // A command for this process's executor may arrive through any process: follow it from the row.
  workers.onChange((worker) => executor.followWorkerRow(worker));
  const external = createExternalWorkers({ store, pump, kinds, log, ...config });
  const subscriptions = createSubscriptions({ pump, store, bufferLimit: config.subscriptionBuffer, maxBackfill: config.limits.maxBackfill });
  const server = createServer({
    schema: schemaFor(registry.definitions()),
    context: {
      store,
      kinds,
      workers,
      queues,
      external,
      subscriptions,
      creator: createTaskCreator(store, metrics.tasks, executor),
      metrics: metrics.tasks,
      maxPayloadBytes: config.maxPayloadBytes,
    },
    metrics,
    log,
    host: config.host,
    apiKeys: config.apiKeys,
    limits: config.limits,
    corsOrigins: config.corsOrigins,
    port: config.port,
    ready: async () => db.listening() && (await migrationsApplied(db)),
  });
  metrics.attach({
    queueDepth: () => store.tasks.queueDepth(),
    queues: () => store.queues.listQueues(),
    pumpLag: async () => Math.max(0, (await store.events.latestEventId()) - pump.lastSeen()),
    slots: () => ({ inUse: executor.runningCount(), concurrency: executor.concurrency() }),
    subscriptions: streams,
    webSockets: server.webSockets,
  });

  let url = '';
  let retention: ReturnType<typeof keepRetention> | undefined;
  let tracing: Tracing | undefined;
  return {
    db,
    store,
    pump,
    executor,
    workers,
    streams,
    get url() {
      return url;
    },
    async start() {
      // First: the spans of the first tasks and requests need the provider, if the OTEL_* variables ask for one.
      tracing = await startTracing(env, log);
      await pump.start();
      await workers.start();
      await queues.start();
      if (config.schedulesFile) await declareSchedules(store, kinds, config.maxPayloadBytes, config.schedulesFile);
      await scheduler.start();
      // With concurrency 0 the executor claims nothing but still sweeps expired leases.
      executor.start();
      retention = keepRetention({ store, log, ...config });
      url = await server.start();
      if (config.apiKeys.length === 0) {
        log.warn({ host: config.host }, 'no API_KEYS configured: the API is open to anyone who can reach it');
      }
      log.info(
        { url: `${url}/graphql`, database: db.kind, concurrency: config.executorConcurrency, workerId: executor.workerId },
        'task executor ready',
      );
      return url;
    },
    /** Stops accepting, drains running tasks within the grace period, then closes the database. */
    async stop() {
      external.stop();
      await server.stop();
      retention?.stop();
      await queues.stop();
      await scheduler.stop();
      await executor.stop(config.shutdownGraceSeconds * 1000);
      await pump.stop();
      await db.close();
      // Last: the spans of the outcomes recorded while stopping are exported too.
      await tracing?.stop();
    },
  };
}

export type App = Awaited<ReturnType<typeof createApp>>;

/** The database, migrated (safely, when several processes start at once). */
async function connectAndMigrate(config: Config, log: Logger): Promise<Database> {
  const db = await connect({
    databaseUrl: config.databaseUrl,
    listenDatabaseUrl: config.listenDatabaseUrl,
    prepare: config.databasePrepare,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    probeSeconds: config.databaseProbeSeconds,
    log,
  });
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
