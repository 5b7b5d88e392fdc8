// The server as a command (npm start, task-executor serve): config from the environment, the
// app's kinds module if one is named (--kinds or TASK_KINDS), then the app; SIGTERM and SIGINT
// stop it in order, letting running tasks finish within SHUTDOWN_GRACE_SECONDS, then exit 0. A
// bad setting or kinds module stops the start with one line and exit code 2.
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { KindsModuleError, loadKindsModule } from './kinds/load-module.js';
import { createLogger } from './logger.js';
import { builtInKinds, createRegistry } from './tasks/handlers.js';

async function setup(kindsFile: string | undefined) {
  try {
    const config = loadConfig();
    const kinds = kindsFile ? await loadKindsModule(kindsFile) : {};
    return { config, registry: createRegistry({ ...builtInKinds, ...kinds }) };
  } catch (error) {
    if (error instanceof ConfigError) console.error(`Invalid configuration: ${error.message}`);
    else if (error instanceof KindsModuleError) console.error(error.message);
    else throw error;
    process.exit(2);
  }
}

export async function serve(kindsFile = process.env.TASK_KINDS?.trim() || undefined): Promise<void> {
  const { config, registry } = await setup(kindsFile);
  const log = createLogger(config.logLevel);
  const app = await createApp(config, log, registry).catch((error) => {
    log.fatal({ err: error }, 'could not start');
    process.exit(1);
  });

  let stopping = false;
  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    try {
      await app.stop();
      log.info('stopped');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'error while stopping');
      process.exit(1);
    }
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    await app.start();
  } catch (error) {
    log.fatal({ err: error }, 'could not start');
    await app.stop().catch(() => {});
    process.exit(1);
  }
}
