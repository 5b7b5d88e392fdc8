#!/usr/bin/env node
// The command: task-executor serve | worker | create | ... (src/cli/main.ts). In a checkout it runs
// the TypeScript source through tsx, so there is no build step between an edit and a working
// command; the installed package has no source and runs the compiled JavaScript in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(fileURLToPath(source))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
