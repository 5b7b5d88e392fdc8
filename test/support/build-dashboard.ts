// Once per run, before any test file: build the dashboard if its sources changed (a clean clone
// has no web/dist). Done here rather than in each browser test file, whose builds would race.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup() {
  const build = spawnSync(process.execPath, ['scripts/build-web.mjs', '--if-stale'], { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the dashboard build failed:\n${build.stdout}\n${build.stderr}`);
}
