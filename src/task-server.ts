// createTaskServer: the whole server (database, migrations, executor, GraphQL, dashboard) inside an
// app's own process, with the app's kinds beside the built-in ones. It installs no signal
// handlers and never exits the process: the app decides when to stop().
import type { App } from './app.js';
import { loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { settingsAsEnv, type TaskServerSettings } from './settings.js';
import { builtInKinds, createRegistry } from './tasks/handlers.js';
import type { TaskKind } from './tasks/kind.js';
import { kindsOf } from './kinds/load-module.js';

export interface TaskServerOptions extends TaskServerSettings {
  /** The app's kinds: made with defineKind (they carry their names), or an object of kinds by name. */
  kinds?: readonly TaskKind[] | Readonly<Record<string, TaskKind>>;
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

/** The kinds given, by name: an array of kinds named by defineKind, or an object of kinds. */
export function kindsByName(kinds: TaskServerOptions['kinds']): Record<string, TaskKind> {
  if (!kinds || Object.keys(kinds).length === 0) return {};
  if (!Array.isArray(kinds)) return kindsOf(kinds as Record<string, unknown>, 'kinds');
  return kindsOf({ default: kinds }, 'kinds');
}

export function createTaskServer(options: TaskServerOptions = {}): TaskServer {
  const { kinds, logger, env = process.env, ...settings } = options;
  // Settings are checked here, so a mistake throws at once rather than at start().
  const config = loadConfig(settingsAsEnv(settings, env));
  const registry = createRegistry({ ...builtInKinds, ...kindsByName(kinds) });
  const log = logger ?? createLogger(config.logLevel);
  let app: App | undefined;
  let starting: Promise<string> | undefined;
  return {
    start() {
      starting ??= (async () => {
        // Loaded at start, not at import: a kinds module importing defineKind from the package, and
        // run by a remote worker, must not load the database drivers.
        const { createApp } = await import('./app.js');
        app = await createApp(config, log, registry, env);
        try {
          return await app.start();
        } catch (error) {
          await app.stop().catch(() => {});
          throw error;
        }
      })();
      return starting;
    },
    async stop() {
      await starting?.catch(() => {});
      await app?.stop();
    },
    get url() {
      return app?.url ?? '';
    },
  };
}
