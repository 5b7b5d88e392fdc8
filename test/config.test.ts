// Configuration is validated once at start; a bad value stops the server with one line naming it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

describe('config', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toMatchObject({
      databaseUrl: undefined,
      dataDir: './.data',
      port: 4000,
      host: '127.0.0.1',
      executorConcurrency: 4,
      executorStartOnCreate: true,
      executorPrefetch: 'auto',
      leaseSeconds: 30,
      logLevel: 'info',
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['EXECUTOR_CONCURRENCY', '-1'],
    ['LEASE_SECONDS', '1.5'],
    ['LOG_LEVEL', 'loud'],
    ['EXECUTOR_START_ON_CREATE', 'yes'],
    ['EXECUTOR_PREFETCH', 'lots'],
    ['EXECUTOR_PREFETCH', '-5'],
    ['EXECUTOR_PREFETCH', '20000'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'not a url'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('reads EXECUTOR_PREFETCH as auto (the default) or a fixed count', () => {
    expect(loadConfig({ EXECUTOR_PREFETCH: ' AUTO ' }).executorPrefetch).toBe('auto');
    expect(loadConfig({ EXECUTOR_PREFETCH: '0' }).executorPrefetch).toBe(0);
    expect(loadConfig({ EXECUTOR_PREFETCH: '500' }).executorPrefetch).toBe(500);
  });

  it('reads EXECUTOR_START_ON_CREATE as true or false (or 1 or 0)', () => {
    expect(loadConfig({ EXECUTOR_START_ON_CREATE: 'false' }).executorStartOnCreate).toBe(false);
    expect(loadConfig({ EXECUTOR_START_ON_CREATE: ' 0 ' }).executorStartOnCreate).toBe(false);
    expect(loadConfig({ EXECUTOR_START_ON_CREATE: 'TRUE' }).executorStartOnCreate).toBe(true);
  });

  it('stops the server with one line and exit code 2', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, EXECUTOR_CONCURRENCY: 'many' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'Invalid configuration: EXECUTOR_CONCURRENCY must be an integer, got "many"',
    ]);
  });
});
