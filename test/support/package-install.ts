// The package as a user gets it: `npm pack`'s tarball installed into a new project with no
// development dependencies, plus zod (a Standard Schema library an app would bring).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The project with the package installed, and remove() for its folder when done. */
export async function installPackage(): Promise<{ project: string; bin: string; remove(): void }> {
  const project = mkdtempSync(join(tmpdir(), 'task-executor-app-'));
  const packed = mkdtempSync(join(tmpdir(), 'task-executor-pack-'));
  // prepack builds the dashboard and the JavaScript first.
  await run('npm', ['pack', '--silent', '--pack-destination', packed], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const tarball = join(packed, readdirSync(packed).find((f) => f.endsWith('.tgz'))!);
  const remove = () => rmSync(project, { recursive: true, force: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'an-app', private: true, type: 'module' }));
  // --prefer-offline: the dependencies are in npm's cache from this checkout's own install.
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', tarball, 'zod'], {
    cwd: project,
    maxBuffer: 64 * 1024 * 1024,
  }).finally(() => rmSync(packed, { recursive: true, force: true }));
  return { remove, project, bin: join(project, 'node_modules', 'graphql-task-executor', 'bin', 'task-executor.mjs') };
}
