#!/usr/bin/env node
// `npm test`: type-check (server and dashboard), dashboard build, schema and typed-document drift
// checks, then the whole suite. Ends with one plain line, "N passed, N failed, N skipped", and names every skipped
// test. With REQUIRE_POSTGRES=1 (CI) a skipped test is a failure: there, every test must have run
// against a real Postgres.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const run = (command, args) => spawnSync(command, args, { stdio: 'inherit' }).status ?? 1;

console.log('> tsc --noEmit');
if (run(bin('tsc'), ['--noEmit']) !== 0) process.exit(1);
console.log('> tsc --noEmit -p web/tsconfig.json');
if (run(bin('tsc'), ['--noEmit', '-p', 'web/tsconfig.json']) !== 0) process.exit(1);
// The dashboard test loads the built page: build it first (a clean clone has no web/dist).
console.log('> build the dashboard');
if (run(process.execPath, ['scripts/build-web.mjs', '--if-stale']) !== 0) process.exit(1);
console.log('> schema drift check');
if (run(bin('tsx'), ['scripts/print-schema.ts', '--check']) !== 0) process.exit(1);
// The dashboard's and the CLI's typed documents follow schema.graphql; the type-checks above then
// fail when a schema change breaks what they select.
console.log('> typed documents check');
if (run(bin('tsx'), ['scripts/codegen.ts', '--check']) !== 0) process.exit(1);

const results = '.test-results.json';
rmSync(results, { force: true });
const status = run(bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${results}`,
  ...process.argv.slice(2),
]);

let report;
try {
  report = JSON.parse(readFileSync(results, 'utf8'));
} catch {
  console.error('no test report was written');
  process.exit(status || 1);
}
const skipped = report.testResults.flatMap((file) =>
  file.assertionResults.filter((t) => t.status === 'skipped' || t.status === 'pending' || t.status === 'todo').map((t) => t.fullName),
);
if (skipped.length > 0) {
  console.log(`\nSkipped (they need Postgres, set TEST_DATABASE_URL, or Chromium at /usr/bin/chromium):`);
  for (const name of skipped) console.log(`  - ${name}`);
}
console.log(`\n${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped.length} skipped`);
if (process.env.REQUIRE_POSTGRES === '1' && skipped.length > 0) {
  console.error('REQUIRE_POSTGRES=1: tests that need Postgres were skipped.');
  process.exit(1);
}
process.exit(status);
