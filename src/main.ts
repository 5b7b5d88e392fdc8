// Entry: config -> logger -> app (db, migrations, pump, executor, server); SIGTERM/SIGINT -> an
// ordered stop that lets running tasks finish within SHUTDOWN_GRACE_SECONDS, then exit 0.
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Invalid configuration: ${error.message}`);
  process.exit(2);
}

const log = createLogger(config.logLevel);
const app = await createApp(config, log).catch((error) => {
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
