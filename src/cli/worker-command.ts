// `task-executor worker --kinds FILE`: runs the kinds of an app's kinds module in this process,
// over GraphQL only (src/remote-worker). Long-running: the exit code comes once SIGTERM or SIGINT
// has stopped it, 0 after a clean stop; 2 when the options, the module or the server refused.
import { KindsModuleError, loadKindsModule } from '../kinds/load-module.js';
import { createLogger } from '../logger.js';
import { GraphQLRefusal, runRemoteWorker } from '../remote-worker/index.js';
import { startTracing } from '../telemetry/setup.js';
import { int, text } from './args.js';
import { Refused } from './client.js';
import type { Invocation } from './commands.js';

function options(i: Invocation) {
  const kinds = text(i.values.kinds);
  if (!kinds) throw new Refused('worker needs --kinds FILE: a module exporting task kinds');
  const concurrency = int('concurrency', i.values.concurrency) ?? 1;
  if (concurrency < 1) throw new Refused('--concurrency must be 1 or more');
  const graceSeconds = int('grace-seconds', i.values['grace-seconds']) ?? 30;
  if (graceSeconds < 0) throw new Refused('--grace-seconds must be 0 or more');
  return { kinds, concurrency, graceSeconds, name: text(i.values.name) };
}

const stopSignal = (signal: AbortSignal) =>
  new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));

export async function workerCommand(i: Invocation): Promise<number> {
  const { kinds: file, concurrency, graceSeconds, name } = options(i);
  let kinds;
  try {
    kinds = await loadKindsModule(file);
  } catch (error) {
    if (error instanceof KindsModuleError) throw new Refused(error.message);
    throw error;
  }
  const log = createLogger(process.env.LOG_LEVEL ?? 'info');
  const signals = new AbortController();
  // Once each: a second Ctrl-C, while running tasks are given their grace, ends the process at once.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'signal received: stopping');
      signals.abort();
    });
  }
  // The worker's attempt spans, when OTEL_* asks for them, as the server's.
  const tracing = await startTracing(process.env, log);
  let worker;
  try {
    worker = await runRemoteWorker({ url: i.url, apiKey: i.apiKey, kinds, name, concurrency, graceSeconds, log, signal: signals.signal });
  } catch (error) {
    await tracing.stop();
    // Stopped while the server was still out of reach: nothing was claimed, nothing is left.
    if (signals.signal.aborted) return 0;
    if (error instanceof GraphQLRefusal) throw new Refused(`the server refused the worker: ${error.message} (${error.code})`);
    if (error instanceof RangeError || error instanceof TypeError) throw new Refused(error.message);
    throw error;
  }
  await stopSignal(signals.signal);
  await worker.stop();
  await tracing.stop();
  return 0;
}
