// createTaskServer: the whole server (database, migrations, executor, GraphQL, dashboard) inside an
// app's own process, with the app's kinds beside the built-in ones. It installs no signal
// handlers and never exits the process: the app decides when to stop().
import type { App } from './app.js';
import { loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { settingsAsEnv, type TaskServerSettings } from './settings.js';
import { builtInKinds, createRegistry } from './tasks/handlers.js';
import { kindsByName, type KindsGiven } from './kinds/load-module.js';

export interface TaskServerOptions extends TaskServerSettings {
  /** The app's kinds: made with defineKind (they carry their names), or an object of kinds by name. */
  kinds?: KindsGiven;
  /** A pino logger of the app's; by default one at logLevel. */
  logger?: Logger;
  /** Where unset settings come from; process.env by default. */
  env?: Record<string, string | undefined>;
}

export interface TaskServer {
  /** Connects, migrates, starts the executor and listens; resolves with the base URL (GraphQL at /graphql). */
  start(): Promise<string>;
  /** Stops taking work, lets running tasks finish within shutdownGraceSeconds, and closes the database. */
  stop(): Promise<void>;
  /** The base URL once started; '' before. */
  readonly url: string;
}

export function createTaskServer(options: TaskServerOptions = {}): TaskServer {
  const { kinds, logger, env = process.env, ...settings } = options;
  // Settings are checked here, so a mistake throws at once rather than at start().
  const config = loadConfig(settingsAsEnv(settings, env));
  const registry = createRegistry({ ...builtInKinds, ...kindsByName(kinds) });
  const log = logger ?? createLogger(config.logLevel);
  let app: App | undefined;
  let starting: Promise<string> | undefined;
  let stopping: Promise<void> | undefined;
  return {
    start() {
      starting ??= (async () => {
        // Loaded at start, not at import: a kinds module importing defineKind from the package, and
        // run by a remote worker, must not load the database drivers.
        const { createApp } = await import('./app.js');
        const created = await createApp(config, log, registry, env);
        try {
          const url = await created.start();
          app = created;
          return url;
        } catch (error) {
          // Stopped here: a stop() after a failed start has nothing left to close.
          await created.stop().catch(() => {});
          throw error;
        }
      })();
      return starting;
    },
    /** Once: later calls wait for the same stop. */
    stop() {
      stopping ??= (async () => {
        await starting?.catch(() => {});
        await app?.stop();
      })();
      return stopping;
    },
    get url() {
      return app?.url ?? '';
    },
  };
}
