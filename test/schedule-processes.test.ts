// Schedules with server processes: three processes ticking an every-second schedule for a minute
// give every whole second exactly one task (counted from the event log by tick); ticks missed
// while no process ran are made at start within backfillSeconds, and skipped otherwise; and
// SCHEDULES_FILE declares schedules at start, or stops the start naming the file and the entry.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { describePg, postgresUrl } from './support/db.js';
import { waitFor } from './support/app.js';
import { serversForFile } from './support/servers.js';
import type { ServerProcess } from './support/process.js';

const UPSERT = `mutation($input: UpsertScheduleInput!) { upsertSchedule(input: $input) { name nextRunAt paused } }`;
const PAUSE = `mutation($name: String!) { pauseSchedule(name: $name) { updatedAt } }`;
const SECOND = 1000;

const dir = mkdtempSync(join(tmpdir(), 'schedules-'));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Tasks this process's ticks made, from its /metrics (no other task of the kind is created here). */
async function createdBy(server: ServerProcess, kind: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(new RegExp(`task_executor_tasks_created_total\\{kind="${kind}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

/**
 * A server that must not start: its exit code and everything it printed. (spawnServer would leave
 * its start timer running after such an exit.)
 */
function refusedStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', LOG_PRETTY: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

async function stop(server: ServerProcess) {
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
}

describePg('schedules across processes', () => {
  const cluster = serversForFile({ EXECUTOR_CONCURRENCY: '2' });
  /** Each tick a schedule made tasks for, in order, with how many. */
  const ticks = async (name: string) =>
    (await cluster.db.query<{ tick: string; n: number }>(sql`
      SELECT data ->> 'tick' AS tick, count(*)::int AS n FROM task_events
      WHERE type = 'created' AND data ->> 'scheduled' = ${name} GROUP BY 1 ORDER BY 1`)).map((t) => ({ at: Date.parse(t.tick), n: t.n }));
  /** The whole seconds from `from` to `to` that have no tick among `made`. */
  const missing = (made: Array<{ at: number }>, from: number, to: number) => {
    const seen = new Set(made.map((t) => t.at));
    const gaps: number[] = [];
    for (let at = from; at <= to; at += SECOND) if (!seen.has(at)) gaps.push(at);
    return gaps;
  };
  const row = async (name: string) =>
    (await cluster.db.query<{ next: number; last: number | null }>(sql`
      SELECT (extract(epoch FROM next_run_at) * 1000)::float8 AS next, (extract(epoch FROM last_run_at) * 1000)::float8 AS last
      FROM schedules WHERE name = ${name}`))[0];

  it('three processes for 60 seconds: every whole second gets exactly one task, none missed, none doubled', { timeout: 180_000 }, async () => {
    const servers = await Promise.all([cluster.start({}), cluster.start({}), cluster.start({})]);
    const { data } = await servers[0].gql(UPSERT, { input: { name: 'every-second', cron: '* * * * * *', kind: 'echo' } });
    const first = Date.parse(data.upsertSchedule.nextRunAt);
    await waitFor(async () => (await ticks('every-second')).length >= 60, 120_000, 'sixty ticks');
    const paused = await servers[1].gql(PAUSE, { name: 'every-second' });
    const pausedAt = Date.parse(paused.data!.pauseSchedule.updatedAt);
    const made = await ticks('every-second');
    const last = made.at(-1)!.at;
    const doubled = made.filter((t) => t.n !== 1);
    const missed = missing(made, first, last);
    const perProcess = await Promise.all(servers.map((s) => createdBy(s, 'echo')));
    console.log(`every-second over ${(last - first) / SECOND + 1} s: ${made.length} ticks seen, ${doubled.length} doubled, ${missed.length} missed; made per process ${perProcess.join(' / ')}`);
    expect(doubled).toEqual([]);
    expect(missed).toEqual([]);
    expect(made[0].at).toBe(first);
    // None missed at the end either: the last tick before the pause was made.
    expect(last).toBeGreaterThanOrEqual(Math.floor(pausedAt / SECOND) * SECOND - 2 * SECOND);
    // Every task was made by one process, and more than one process took part.
    expect(perProcess.reduce((a, b) => a + b, 0)).toBe(made.length);
    expect(perProcess.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    // Every task runs once, like any created task.
    await waitFor(async () => {
      const [{ n }] = await cluster.db.query<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM tasks t JOIN task_events e ON e.task_id = t.id AND e.type = 'created'
        WHERE e.data ->> 'scheduled' = 'every-second' AND t.status = 'completed' AND t.attempts = 1`);
      return n === made.length;
    }, 30_000, 'every scheduled task to complete');
  });

  it('stopped for a few seconds: the missed ticks are made at start within backfillSeconds, skipped with 0', { timeout: 120_000 }, async () => {
    const before = await cluster.start({});
    for (const [name, backfillSeconds] of [['backfilled', 30], ['skipping', 0]] as const) {
      expect((await before.gql(UPSERT, { input: { name, cron: '* * * * * *', kind: 'echo', backfillSeconds } })).errors).toBeUndefined();
    }
    await waitFor(async () => (await ticks('backfilled')).length >= 2 && (await ticks('skipping')).length >= 2, 20_000, 'ticks before the stop');
    const stoppedAt = Date.now();
    await stop(before);
    // Down for a while (this is the scenario, not a wait for a state).
    await new Promise((resolve) => setTimeout(resolve, 5 * SECOND));
    const restartedAt = Date.now();
    const after = await cluster.start({});
    await waitFor(async () => {
      const [b, s] = [await ticks('backfilled'), await ticks('skipping')];
      return b.at(-1)!.at > restartedAt + 5 * SECOND && s.at(-1)!.at > restartedAt + 5 * SECOND;
    }, 30_000, 'ticks after the restart');
    await after.gql(PAUSE, { name: 'backfilled' });
    await after.gql(PAUSE, { name: 'skipping' });
    const backfilled = await ticks('backfilled');
    const skipping = await ticks('skipping');
    const gap = missing(skipping, skipping[0].at, skipping.at(-1)!.at);
    console.log(`down ${((restartedAt - stoppedAt) / SECOND).toFixed(1)} s (and a start): backfilled ${backfilled.length} ticks, ${missing(backfilled, backfilled[0].at, backfilled.at(-1)!.at).length} missed; with 0: ${gap.length} skipped`);
    expect(backfilled.filter((t) => t.n !== 1)).toEqual([]);
    expect(missing(backfilled, backfilled[0].at, backfilled.at(-1)!.at)).toEqual([]);
    expect(skipping.filter((t) => t.n !== 1)).toEqual([]);
    // The ticks skipped are the ones that fell while no process ran, in one stretch.
    expect(gap.length).toBeGreaterThanOrEqual(4);
    expect(gap.at(-1)! - gap[0]).toBe((gap.length - 1) * SECOND);
    expect(gap[0]).toBeGreaterThanOrEqual(stoppedAt - 2 * SECOND);
    const readyAt = Number(JSON.parse(after.logs.find((l) => l.includes('"task executor ready"'))!).time);
    expect(gap.at(-1)!).toBeLessThan(readyAt);
    expect(after.logs.some((l) => l.includes('skipped missed ticks') && l.includes('"schedule":"skipping"'))).toBe(true);
  });

  it('a tick missed while no process ran is made at start within backfillSeconds, at most the latest 100, and not with 0', { timeout: 120_000 }, async () => {
    const setup = await cluster.start({});
    const year = 366 * 24 * 3600;
    for (const [name, cron, backfillSeconds, paused] of [
      ['yearly-backfilled', '0 0 1 1 *', year, false],
      ['yearly-skipped', '0 0 1 1 *', 0, false],
      ['catching-up', '* * * * * *', 3600, true],
    ] as const) {
      expect((await setup.gql(UPSERT, { input: { name, cron, kind: 'echo', backfillSeconds, paused } })).errors).toBeUndefined();
    }
    await stop(setup);
    // With no process running: the last new year's tick due, and five minutes of seconds.
    const newYear = Date.UTC(new Date().getUTCFullYear(), 0, 1);
    const fiveMinutesAgo = Math.floor(Date.now() / SECOND) * SECOND - 300 * SECOND;
    await cluster.db.query(sql`UPDATE schedules SET next_run_at = ${new Date(newYear).toISOString()}::timestamptz WHERE name LIKE 'yearly-%'`);
    await cluster.db.query(sql`UPDATE schedules SET next_run_at = ${new Date(fiveMinutesAgo).toISOString()}::timestamptz, paused = false WHERE name = 'catching-up'`);

    const startedAt = Date.now();
    const server = await cluster.start({});
    // The scheduler starts somewhere between the two: on a busy machine, seconds apart.
    const readyAt = Date.now();
    await waitFor(async () => (await ticks('yearly-backfilled')).length === 1, 20_000, 'the missed new year tick');
    expect(await ticks('yearly-backfilled')).toEqual([{ at: newYear, n: 1 }]);
    const nextYear = Date.UTC(new Date().getUTCFullYear() + 1, 0, 1);
    await waitFor(async () => (await row('yearly-skipped')).next === nextYear, 20_000, 'the skipped schedule to move on');
    expect(await ticks('yearly-skipped')).toEqual([]);
    expect((await row('yearly-skipped')).last).toBeNull();
    expect(await row('yearly-backfilled')).toEqual({ next: nextYear, last: newYear });

    await waitFor(async () => (await ticks('catching-up')).length >= 105, 30_000, 'the catch-up and a few ticks more');
    await server.gql(PAUSE, { name: 'catching-up' });
    const caught = await ticks('catching-up');
    console.log(`catching up 300 s of missed seconds: made ${caught.length} ticks from ${(caught[0].at - fiveMinutesAgo) / SECOND} s after the first missed one`);
    expect(caught.filter((t) => t.n !== 1)).toEqual([]);
    expect(missing(caught, caught[0].at, caught.at(-1)!.at)).toEqual([]);
    // Only the latest 100 missed ones: those before were skipped.
    expect(caught[0].at).toBeGreaterThan(fiveMinutesAgo + 150 * SECOND);
    expect(caught[0].at).toBeGreaterThanOrEqual(startedAt - 101 * SECOND);
    expect(caught[0].at).toBeLessThanOrEqual(readyAt - 95 * SECOND);
    expect(caught.filter((t) => t.at <= startedAt).length).toBeLessThanOrEqual(100);
  });

  it('SCHEDULES_FILE declares schedules at start, three processes at once without conflict', { timeout: 120_000 }, async () => {
    const path = file('schedules.json', [
      { name: 'from-file', cron: '0 0 * * *', kind: 'echo', input: { from: 'file' }, backfillSeconds: 60 },
      { name: 'from-file-seconds', cron: '*/2 * * * * *', timezone: 'Europe/Berlin', kind: 'sleep', input: { ms: 1 } },
    ]);
    const servers = await Promise.all([1, 2, 3].map(() => cluster.start({ SCHEDULES_FILE: path })));
    const listed = (await servers[2].gql(`{ schedules { name cron timezone kind input backfillSeconds createdAt updatedAt } }`)).data.schedules;
    const declared = listed.filter((s: { name: string }) => s.name.startsWith('from-file'));
    expect(declared).toMatchObject([
      { name: 'from-file', cron: '0 0 * * *', timezone: 'UTC', kind: 'echo', input: { from: 'file' }, backfillSeconds: 60 },
      { name: 'from-file-seconds', cron: '*/2 * * * * *', timezone: 'Europe/Berlin', kind: 'sleep', input: { ms: 1 } },
    ]);
    // Made once; the other processes' upserts of the same declaration wrote nothing.
    for (const s of declared) expect(s.updatedAt).toBe(s.createdAt);
    await waitFor(async () => (await ticks('from-file-seconds')).length >= 2, 20_000, 'the declared schedule to tick');
    expect((await ticks('from-file-seconds')).every((t) => t.n === 1 && t.at % (2 * SECOND) === 0)).toBe(true);
    await servers[0].gql(PAUSE, { name: 'from-file-seconds' });
  });

  it('a malformed SCHEDULES_FILE stops the start with a line naming the file and the entry', { timeout: 60_000 }, async () => {
    const [{ name }] = await cluster.db.query<{ name: string }>(sql`SELECT current_database() AS name`);
    const url = new URL(postgresUrl!);
    url.pathname = `/${name}`;
    const start = (path: string) => refusedStart({ DATABASE_URL: url.toString(), SCHEDULES_FILE: path });

    const badCron = file('bad-cron.json', [{ name: 'ok', cron: '* * * * *', kind: 'echo' }, { name: 'nightly', cron: '0 25 * * *', kind: 'echo' }]);
    const refused = await start(badCron);
    expect(refused.code).toBe(2);
    expect(refused.output.trim()).toBe(`Invalid configuration: SCHEDULES_FILE ${badCron}: entry 2 ("nightly") is refused: cron "0 25 * * *" is invalid: CronPattern: Invalid value for hour: 25`);

    const notJson = file('not-json.json', '[{ "name": "x", ');
    const unreadable = await start(notJson);
    expect(unreadable.code).toBe(2);
    expect(unreadable.output).toContain(`Invalid configuration: SCHEDULES_FILE ${notJson}: cannot be read as JSON`);

    // The kinds are known only once the server runs: an unknown one stops it there.
    const unknownKind = file('unknown-kind.json', [{ name: 'ghost', cron: '* * * * *', kind: 'no-such-kind' }]);
    const stopped = await start(unknownKind);
    expect(stopped.code).toBe(1);
    const fatal = stopped.output.split('\n').find((line) => line.includes('"could not start"'));
    expect(JSON.parse(fatal!).err.message).toContain(`SCHEDULES_FILE ${unknownKind}: entry 1 ("ghost") is refused: Unknown task kind "no-such-kind"`);
    const [{ n }] = await cluster.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM schedules WHERE name IN ('ok', 'nightly', 'x', 'ghost')`);
    expect(n).toBe(0);
  });
});
