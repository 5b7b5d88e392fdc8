#!/usr/bin/env node
// Builds the dashboard (web/ -> web/dist) with Vite. `npm start` and `npm test` run it with
// --if-stale, so a fresh clone works with no separate build step while an unchanged tree starts
// without waiting for a rebuild.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'web');
const built = join(web, 'dist', 'index.html');

/** The newest modification time among the dashboard's sources. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

// The dashboard also bundles the one module of the server's it shares (the backoff).
const shared = join(root, 'src', 'backoff.ts');
const newest = Math.max(newestSource(web), statSync(shared).mtimeMs);
if (process.argv.includes('--if-stale') && existsSync(built) && statSync(built).mtimeMs >= newest) process.exit(0);
const vite = join(root, 'node_modules', '.bin', 'vite');
const { status } = spawnSync(vite, ['build', web, '--logLevel', 'warn'], { stdio: 'inherit', cwd: root });
process.exit(status ?? 1);
