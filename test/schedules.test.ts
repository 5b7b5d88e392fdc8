// Schedules as clients use them: declare, list, pause, resume and delete; every refusal with its
// code and the parser's reason, and nothing written; the tasks a tick makes, read from the event
// log; the admin scope; SCHEDULES_FILE checked with the configuration; and the CLI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { describePg } from './support/db.js';
import { appForFile, databaseUrlOf, startApp, waitFor, type TestApp } from './support/app.js';
import { cli } from './support/cli.js';

const FIELDS = `name cron timezone kind input queue priority maxAttempts timeoutSeconds backfillSeconds paused nextRunAt lastRunAt
  lastTask { id kind status input queue priority } createdAt updatedAt`;
const UPSERT = `mutation($input: UpsertScheduleInput!) { upsertSchedule(input: $input) { ${FIELDS} } }`;
const GET = `query($name: String!) { schedule(name: $name) { ${FIELDS} } }`;
const action = (name: 'pauseSchedule' | 'resumeSchedule' | 'deleteSchedule') => `mutation($name: String!) { ${name}(name: $name) { ${FIELDS} } }`;

const code = (r: { errors?: Array<{ extensions?: { code?: string } }> }) => r.errors?.[0]?.extensions?.code;

describePg('schedules', () => {
  const app = appForFile({ EXECUTOR_CONCURRENCY: '4' });
  const gql = async (query: string, variables?: Record<string, unknown>) => app.gql(query, variables);
  const rows = async () => (await app.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM schedules`))[0].n;
  /** The ticks a schedule has made tasks for, from their `created` events, with how many tasks each. */
  const ticks = async (name: string) =>
    app.db.query<{ tick: string; n: number; task_id: string }>(sql`
      SELECT data ->> 'tick' AS tick, count(*)::int AS n, min(task_id)::text AS task_id FROM task_events
      WHERE type = 'created' AND data ->> 'scheduled' = ${name} GROUP BY 1 ORDER BY 1`);

  it('declares a schedule with defaults, lists it, and keeps its tick due when declared again with the same expression', async () => {
    const before = Date.now();
    const { data, errors } = await gql(UPSERT, { input: { name: 'every-5-min', cron: '*/5 * * * *', timezone: 'Europe/Berlin', kind: 'echo', input: { a: 1 } } });
    expect(errors).toBeUndefined();
    const s = data.upsertSchedule;
    expect(s).toMatchObject({
      name: 'every-5-min', cron: '*/5 * * * *', timezone: 'Europe/Berlin', kind: 'echo', input: { a: 1 }, queue: 'default',
      priority: 0, maxAttempts: 3, timeoutSeconds: 1800, backfillSeconds: 0, paused: false, lastRunAt: null, lastTask: null,
    });
    const next = new Date(s.nextRunAt).getTime();
    expect(next).toBeGreaterThan(before);
    expect(next - before).toBeLessThanOrEqual(5 * 60_000);
    expect(next % (5 * 60_000)).toBe(0);

    // Declared again, another input, same expression: the tick due stays, the rest changes.
    const again = (await gql(UPSERT, { input: { name: 'every-5-min', cron: '*/5 * * * *', timezone: 'Europe/Berlin', kind: 'echo', input: { a: 2 }, priority: 7 } })).data.upsertSchedule;
    expect(again).toMatchObject({ input: { a: 2 }, priority: 7, nextRunAt: s.nextRunAt });
    expect(new Date(again.updatedAt).getTime()).toBeGreaterThan(new Date(s.updatedAt).getTime());
    // The very same declaration writes nothing.
    const same = (await gql(UPSERT, { input: { name: 'every-5-min', cron: '*/5 * * * *', timezone: 'Europe/Berlin', kind: 'echo', input: { a: 2 }, priority: 7 } })).data.upsertSchedule;
    expect(same.updatedAt).toBe(again.updatedAt);
    // Another expression starts from its own first tick.
    const hourly = (await gql(UPSERT, { input: { name: 'every-5-min', cron: '0 * * * *', kind: 'echo' } })).data.upsertSchedule;
    expect(hourly).toMatchObject({ cron: '0 * * * *', timezone: 'UTC', input: null, priority: 0 });
    expect(new Date(hourly.nextRunAt).getTime() % 3_600_000).toBe(0);

    const listed = (await gql(`{ schedules { name nextRunAt } }`)).data.schedules;
    expect(listed).toContainEqual({ name: 'every-5-min', nextRunAt: hourly.nextRunAt });
    expect((await gql(GET, { name: 'every-5-min' })).data.schedule.cron).toBe('0 * * * *');
    expect((await gql(GET, { name: 'no-such' })).data.schedule).toBeNull();
  });

  it('pauses, resumes and deletes; a missing schedule is SCHEDULE_NOT_FOUND', async () => {
    await gql(UPSERT, { input: { name: 'steered', cron: '0 0 * * *', kind: 'echo' } });
    const paused = (await gql(action('pauseSchedule'), { name: 'steered' })).data.pauseSchedule;
    expect(paused).toMatchObject({ paused: true, nextRunAt: null });
    expect((await gql(action('pauseSchedule'), { name: 'steered' })).data.pauseSchedule.paused).toBe(true);
    // Declared again without paused: it stays paused; with paused: false it runs again.
    expect((await gql(UPSERT, { input: { name: 'steered', cron: '0 0 * * *', kind: 'echo' } })).data.upsertSchedule.paused).toBe(true);
    const resumed = (await gql(action('resumeSchedule'), { name: 'steered' })).data.resumeSchedule;
    expect(resumed.paused).toBe(false);
    expect(new Date(resumed.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(resumed.nextRunAt).getTime() % 86_400_000).toBe(0);
    expect((await gql(UPSERT, { input: { name: 'steered', cron: '0 0 * * *', kind: 'echo', paused: true } })).data.upsertSchedule.paused).toBe(true);
    expect((await gql(UPSERT, { input: { name: 'steered', cron: '0 0 * * *', kind: 'echo', paused: false } })).data.upsertSchedule.paused).toBe(false);

    const deleted = (await gql(action('deleteSchedule'), { name: 'steered' })).data.deleteSchedule;
    expect(deleted.name).toBe('steered');
    expect((await gql(GET, { name: 'steered' })).data.schedule).toBeNull();
    for (const mutation of ['pauseSchedule', 'resumeSchedule', 'deleteSchedule'] as const) {
      const result = await gql(action(mutation), { name: 'steered' });
      expect(code(result)).toBe('SCHEDULE_NOT_FOUND');
      expect(result.errors[0].message).toContain('steered');
    }
    expect(code(await gql(action('pauseSchedule'), { name: 'bad name' }))).toBe('INVALID_INPUT');
  });

  it('refuses a bad expression, zone, kind or field with its code and reason, and writes nothing', async () => {
    const before = await rows();
    const cases: Array<[Record<string, unknown>, string, string | RegExp]> = [
      [{ cron: '61 * * * *' }, 'INVALID_INPUT', 'Invalid value for minute: 61'],
      [{ cron: '* * * *' }, 'INVALID_INPUT', /cron "\* \* \* \*" is invalid: .*five, six, or seven/],
      [{ cron: '0 0 0 * * * *' }, 'INVALID_INPUT', /requires exactly 5 or 6 parts/],
      [{ cron: '*/0 * * * *' }, 'INVALID_INPUT', 'illegal stepping'],
      [{ cron: '2030-01-01T00:00:00Z' }, 'INVALID_INPUT', 'is a date'],
      [{ cron: '0 0 30 2 *' }, 'INVALID_INPUT', 'has no tick'],
      [{ timezone: 'Mars/Olympus' }, 'INVALID_INPUT', /timezone "Mars\/Olympus" is not an IANA time zone: .*Mars\/Olympus/],
      [{ timezone: '' }, 'INVALID_INPUT', 'timezone'],
      [{ kind: 'no-such-kind' }, 'UNKNOWN_TASK_KIND', 'no-such-kind'],
      [{ name: 'has space' }, 'INVALID_INPUT', 'name'],
      [{ queue: 'bad queue' }, 'INVALID_INPUT', 'queue'],
      [{ priority: 5000 }, 'INVALID_INPUT', 'priority'],
      [{ maxAttempts: 0 }, 'INVALID_INPUT', 'maxAttempts'],
      [{ timeoutSeconds: 0 }, 'INVALID_INPUT', 'timeoutSeconds'],
      [{ backfillSeconds: -1 }, 'INVALID_INPUT', 'backfillSeconds'],
      [{ input: 'x'.repeat(2_000_000) }, 'INVALID_INPUT', 'input'],
    ];
    for (const [override, expected, reason] of cases) {
      const result = await gql(UPSERT, { input: { name: 'refused', cron: '* * * * *', kind: 'echo', ...override } });
      expect(code(result), JSON.stringify(override).slice(0, 80)).toBe(expected);
      if (typeof reason === 'string') expect(result.errors[0].message).toContain(reason);
      else expect(result.errors[0].message).toMatch(reason);
    }
    // A refused change of an existing schedule leaves it as it was.
    await gql(UPSERT, { input: { name: 'kept', cron: '0 3 * * *', kind: 'echo' } });
    const kept = (await gql(GET, { name: 'kept' })).data.schedule;
    expect(code(await gql(UPSERT, { input: { name: 'kept', cron: '0 3 * * *', kind: 'echo', timezone: 'Nowhere/Land' } }))).toBe('INVALID_INPUT');
    expect((await gql(GET, { name: 'kept' })).data.schedule).toEqual(kept);
    expect(await rows()).toBe(before + 1);
  });

  it('makes one task per tick of a six-field schedule, with the tick in its created event, until paused', async () => {
    const { data } = await gql(UPSERT, {
      input: { name: 'every-second', cron: '* * * * * *', kind: 'echo', input: { hello: 'tick' }, queue: 'scheduled', priority: 5, maxAttempts: 2, timeoutSeconds: 60 },
    });
    const first = new Date(data.upsertSchedule.nextRunAt).getTime();
    expect(first % 1000).toBe(0);
    await waitFor(async () => (await ticks('every-second')).length >= 3, 15_000, 'three ticks');
    const paused = (await gql(action('pauseSchedule'), { name: 'every-second' })).data.pauseSchedule;
    const made = await ticks('every-second');
    expect(made.every((t) => t.n === 1)).toBe(true);
    // Consecutive whole seconds from the first tick.
    expect(made.map((t) => new Date(t.tick).getTime())).toEqual(made.map((_, i) => first + i * 1000));
    const last = made.at(-1)!;
    expect(paused.lastRunAt).toBe(last.tick);
    expect(paused.lastTask).toMatchObject({ id: last.task_id, kind: 'echo', input: { hello: 'tick' }, queue: 'scheduled', priority: 5 });
    const [task] = await app.db.query<{ max_attempts: number; timeout_seconds: number }>(sql`SELECT max_attempts, timeout_seconds FROM tasks WHERE id = ${last.task_id}::bigint`);
    expect(task).toEqual({ max_attempts: 2, timeout_seconds: 60 });
    // Like any created task, each runs.
    await waitFor(async () => {
      const done = await app.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM tasks WHERE id = ANY(${`{${made.map((t) => t.task_id).join(',')}}`}::bigint[]) AND status = 'completed'`);
      return done[0].n === made.length;
    }, 15_000, 'the scheduled tasks to complete');
    // Paused: no tick makes a task any more (a wait for nothing to happen has to be a sleep).
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await ticks('every-second')).toHaveLength(made.length);
    await gql(action('deleteSchedule'), { name: 'every-second' });
  });

  it('a deleted schedule makes no more tasks, and its tasks stay', async () => {
    await gql(UPSERT, { input: { name: 'short-lived', cron: '* * * * * *', kind: 'echo' } });
    await waitFor(async () => (await ticks('short-lived')).length >= 1, 10_000, 'a tick');
    await gql(action('deleteSchedule'), { name: 'short-lived' });
    const made = await ticks('short-lived');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await ticks('short-lived')).toEqual(made);
  });

  it('needs the admin scope to change schedules, read to list them', async () => {
    const keys = [
      { name: 'reader', key: 'r'.repeat(32), scopes: ['read'] },
      { name: 'writer', key: 'w'.repeat(32), scopes: ['read', 'write'] },
      { name: 'admin', key: 'a'.repeat(32), scopes: ['read', 'admin'] },
    ];
    const guarded = await startApp({ DATABASE_URL: await databaseUrlOf(app), EXECUTOR_CONCURRENCY: '0', API_KEYS: JSON.stringify(keys) });
    try {
      const post = async (key: string | undefined, query: string, variables?: Record<string, unknown>) =>
        (await fetch(`${guarded.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body: JSON.stringify({ query, variables }),
        })).json();
      const input = { name: 'guarded', cron: '0 4 * * *', kind: 'echo' };
      const before = await rows();
      expect(code(await post(undefined, UPSERT, { input }))).toBe('UNAUTHENTICATED');
      for (const key of [keys[0].key, keys[1].key]) {
        expect(code(await post(key, UPSERT, { input }))).toBe('FORBIDDEN');
        expect(code(await post(key, action('pauseSchedule'), { name: 'kept' }))).toBe('FORBIDDEN');
        expect(code(await post(key, action('deleteSchedule'), { name: 'kept' }))).toBe('FORBIDDEN');
      }
      expect(await rows()).toBe(before);
      expect((await post(keys[0].key, `{ schedules { name } }`)).data.schedules.length).toBe(before);
      expect((await post(keys[2].key, UPSERT, { input })).data.upsertSchedule.name).toBe('guarded');
      expect((await post(keys[2].key, action('deleteSchedule'), { name: 'guarded' })).data.deleteSchedule.name).toBe('guarded');
    } finally {
      await guarded.stop();
    }
  });

  it('the CLI declares, lists, pauses, resumes and deletes, and refuses bad input with exit 2', async () => {
    const set = await cli(app.url, 'schedule', 'set', 'cli-nightly', '--cron', '30 2 * * *', '--kind', 'echo', '--timezone', 'Europe/Berlin',
      '--input', '{"full":true}', '--queue', 'reports', '--backfill-seconds', '3600', '--paused');
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: 'cli-nightly', cron: '30 2 * * *', timezone: 'Europe/Berlin', input: { full: true }, queue: 'reports', backfillSeconds: 3600, paused: true, nextRunAt: null });
    const listed = JSON.parse((await cli(app.url, 'schedules')).stdout);
    expect(listed.map((s: { name: string }) => s.name)).toContain('cli-nightly');
    const resumed = JSON.parse((await cli(app.url, 'schedule', 'resume', 'cli-nightly')).stdout);
    expect(resumed.paused).toBe(false);
    expect(new Date(resumed.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    expect(JSON.parse((await cli(app.url, 'schedule', 'pause', 'cli-nightly')).stdout).paused).toBe(true);
    expect(JSON.parse((await cli(app.url, 'schedule', 'delete', 'cli-nightly')).stdout).name).toBe('cli-nightly');

    const refusals: Array<[string[], RegExp]> = [
      [['schedule', 'set', 'x', '--cron', '61 * * * *', '--kind', 'echo'], /Invalid value for minute: 61 \(INVALID_INPUT\)/],
      [['schedule', 'set', 'x', '--kind', 'echo'], /--cron/],
      [['schedule', 'set', 'x', '--cron', '* * * * *'], /--kind/],
      [['schedule', 'set', 'x', '--cron', '* * * * *', '--kind', 'echo', '--input', '{nope'], /not valid JSON/],
      [['schedule', 'set', 'x', '--cron', '* * * * *', '--kind', 'echo', '--backfill-seconds', 'lots'], /--backfill-seconds must be an integer/],
      [['schedule', 'set', 'x', '--cron', '* * * * *', '--kind', 'no-such-kind'], /UNKNOWN_TASK_KIND/],
      [['schedule', 'pause', 'cli-nightly'], /SCHEDULE_NOT_FOUND/],
      [['schedule', 'delete'], /needs a schedule name/],
      [['schedule', 'rename', 'x'], /schedule needs one of set, delete, pause, resume/],
    ];
    for (const [args, message] of refusals) {
      const run = await cli(app.url, ...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });
});

describe('SCHEDULES_FILE in the configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'schedules-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('reads the schedules declared', () => {
    const path = file('good.json', JSON.stringify([{ name: 'a', cron: '* * * * * *', kind: 'echo', backfillSeconds: 10 }, { name: 'b', cron: '0 1 * * *', timezone: 'Asia/Tokyo', kind: 'anything' }]));
    expect(loadConfig({ SCHEDULES_FILE: path }).schedulesFile).toEqual({
      path,
      schedules: [{ name: 'a', cron: '* * * * * *', kind: 'echo', backfillSeconds: 10 }, { name: 'b', cron: '0 1 * * *', timezone: 'Asia/Tokyo', kind: 'anything' }],
    });
    expect(loadConfig({}).schedulesFile).toBeUndefined();
  });

  it.each([
    ['missing.json', null, /cannot be read as JSON: ENOENT/],
    ['not-json.json', '[{ "name": ', /cannot be read as JSON/],
    ['object.json', '{}', /must hold a JSON array/],
    ['bad-cron.json', JSON.stringify([{ name: 'ok', cron: '* * * * *', kind: 'echo' }, { name: 'nightly', cron: '61 * * * *', kind: 'echo' }]), /entry 2 \("nightly"\) is refused: cron "61 \* \* \* \*" is invalid: .*minute: 61/],
    ['bad-zone.json', JSON.stringify([{ name: 'z', cron: '* * * * *', kind: 'echo', timezone: 'Mars/Olympus' }]), /entry 1 \("z"\) is refused: timezone "Mars\/Olympus"/],
    ['unknown-field.json', JSON.stringify([{ name: 'u', cron: '* * * * *', kind: 'echo', every: 5 }]), /entry 1 \("u"\) has an unknown field "every"/],
    ['wrong-type.json', JSON.stringify([{ name: 'w', cron: '* * * * *', kind: 'echo', priority: '1' }]), /entry 1 \("w"\) priority must be an integer/],
    ['no-kind.json', JSON.stringify([{ name: 'k', cron: '* * * * *' }]), /entry 1 \("k"\) needs kind/],
    ['twice.json', JSON.stringify([{ name: 't', cron: '* * * * *', kind: 'echo' }, { name: 't', cron: '0 * * * *', kind: 'echo' }]), /entry 2 \("t"\) repeats a name/],
    ['not-object.json', '[1]', /entry 1 must be an object/],
  ])('refuses %s naming the file and the entry', (name, content, message) => {
    const path = content === null ? join(dir, name) : file(name, content);
    expect(() => loadConfig({ SCHEDULES_FILE: path })).toThrow(`SCHEDULES_FILE ${path}: `);
    expect(() => loadConfig({ SCHEDULES_FILE: path })).toThrow(message);
  });
});

describe('schedules on the embedded database (PGlite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'task-executor-schedules-'));
  let app: TestApp | undefined;
  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ticks a schedule and keeps it across a restart', async () => {
    app = await startApp({ DATABASE_URL: undefined, DATA_DIR: dataDir });
    await app.gql(UPSERT, { input: { name: 'embedded', cron: '* * * * * *', kind: 'echo', input: 1 } });
    const made = () => app!.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM task_events WHERE type = 'completed' AND task_id IN (
      SELECT task_id FROM task_events WHERE type = 'created' AND data ->> 'scheduled' = 'embedded')`);
    await waitFor(async () => (await made())[0].n >= 2, 15_000, 'two scheduled tasks to complete');
    await app.stop();
    app = await startApp({ DATABASE_URL: undefined, DATA_DIR: dataDir });
    const kept = (await app.gql(GET, { name: 'embedded' })).data.schedule;
    expect(kept).toMatchObject({ name: 'embedded', cron: '* * * * * *', paused: false, lastTask: { kind: 'echo', input: 1 } });
    const before = (await made())[0].n;
    await waitFor(async () => (await made())[0].n > before, 15_000, 'a tick after the restart');
    await app.gql(action('pauseSchedule'), { name: 'embedded' });
  });
});
