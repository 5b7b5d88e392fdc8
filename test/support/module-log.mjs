// Preloaded into a server process (NODE_OPTIONS=--import=...) to tell which packages it loads:
// every @opentelemetry module the process resolves is appended to the file named by MODULE_LOG.
// Resolution is seen whether the import is static or dynamic, so an SDK imported eagerly shows up.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// This same file is the hooks module, loaded again in the loader's own thread.
if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.MODULE_LOG && result.url.includes('/node_modules/@opentelemetry/')) appendFileSync(process.env.MODULE_LOG, `${result.url}\n`);
  return result;
}
