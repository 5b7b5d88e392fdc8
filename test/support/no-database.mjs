// Preloaded (node --import) into a worker process to prove it holds no database code: resolving any
// module of the server's database layer or a database driver throws, naming the module and its
// importer. ESM imports are checked by a resolve hook (all of them, tsx's included), CommonJS
// requires by wrapping the resolver they all go through.
import Module, { register } from 'node:module';

register('./no-database-hooks.mjs', import.meta.url);

const { forbidden } = await import('./no-database-hooks.mjs');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const file = resolveFilename.call(this, request, parent, ...rest);
  const problem = forbidden(`file://${file}`, parent?.filename);
  if (problem) throw new Error(problem);
  return file;
};
