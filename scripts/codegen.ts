// Writes the typed documents (codegen.ts); with --check, fails when the committed ones differ from
// what schema.graphql and the documents give now.
import { readFileSync, writeFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import config from '../codegen.js';

const outputs: Array<{ filename: string; content: string }> = await generate({ ...config, silent: true, cwd: new URL('..', import.meta.url).pathname }, false);
const stale = outputs.filter(({ filename, content }) => {
  let committed = '';
  try {
    committed = readFileSync(filename, 'utf8');
  } catch {}
  return committed !== content;
});
if (process.argv.includes('--check')) {
  if (stale.length > 0) {
    console.error(`${stale.map((o) => o.filename).join(', ')} out of date: run \`npm run codegen\` and commit.`);
    process.exit(1);
  }
  console.log('typed documents are up to date.');
} else {
  for (const { filename, content } of stale) writeFileSync(filename, content);
  console.log(stale.length ? `wrote ${stale.map((o) => o.filename).join(', ')}` : 'typed documents are up to date.');
}
