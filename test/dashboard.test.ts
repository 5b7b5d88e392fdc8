// The dashboard at / in a real headless Chromium against a real server and Postgres: create a task
// from the form and watch its row change live, cancel and retry from a task's page, watch log lines
// stream, and survive a server restart (banner, reconnect, catch-up from the last cursor).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, type TaskKind } from '../src/tasks/kind.js';
import { freshDatabase, postgresUrl } from './support/db.js';
import { freePort } from './support/free-port.js';
import { collect, startApp, waitFor, type TestApp } from './support/app.js';
import { hasChromium, launchBrowser, openDashboard, screenshotPath as screenshot, shows, statusOn } from './support/browser.js';

/** Writes each line to the task's log, a pause apart: for watching log lines arrive. */
/** Lets a held `talk` task write its next line: the test decides when, not the clock. */
const nextLine: Array<() => void> = [];

const talk: TaskKind<{ lines: string[]; pauseMs: number; held?: boolean }> = {
  async run({ lines, pauseMs, held }, ctx) {
    for (const [i, line] of lines.entries()) {
      if (held && i > 0) await new Promise<void>((resolve) => nextLine.push(resolve));
      await ctx.log(line, line.startsWith('warn:') ? 'warn' : 'info');
      await sleep(pauseMs, ctx.signal);
    }
    return { lines: lines.length };
  },
};

describe.skipIf(!postgresUrl || !hasChromium)('dashboard in Chromium', () => {
  let app: TestApp;
  let databaseUrl: string;
  let port: string;
  let drop: () => Promise<void>;
  let browser: import('playwright-core').Browser;
  // The smallest MAX_BACKFILL makes a long history take more than one subscription to replay.
  const start = () => startApp({ DATABASE_URL: databaseUrl, PORT: port, EXECUTOR_CONCURRENCY: '2', MAX_BACKFILL: '100' }, { talk });

  beforeAll(async () => {
    browser = await launchBrowser();
    const db = await freshDatabase();
    drop = db.drop;
    databaseUrl = db.url;
    // A fixed port, so that the page open in the browser finds the restarted server at its address.
    port = String(await freePort());
    app = await start();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await drop?.();
  });

  const openPage = (hash = '') => openDashboard(browser, app.url, hash);

  const taskStatus = async (id: string) => (await app.gql(`query($id: ID!) { task(id: $id) { status } }`, { id })).data.task.status as string;

  it('creates a task from the form and its row changes in place from PENDING to COMPLETED, the bar moving', async () => {
    const { page, errors } = await openPage();
    await shows(page.locator('tbody .empty'), 'No tasks yet');
    // Every row the table draws is recorded, so no state it passed through can be missed. A marker
    // on window shows that the page was never reloaded.
    await page.evaluate(() => {
      const seen: { id: string; status: string; progress: number }[] = [];
      Object.assign(window, { seen, marker: 'still here' });
      new MutationObserver((records) => {
        for (const record of records) {
          for (const node of record.addedNodes) {
            if (!(node instanceof HTMLElement) || !node.matches('tr[data-task-id]')) continue;
            const bar = node.querySelector('[role="progressbar"]')!;
            seen.push({ id: node.dataset.taskId!, status: node.dataset.status!, progress: Number(bar.getAttribute('aria-valuenow')) });
          }
        }
      }).observe(document.querySelector('table.tasks tbody')!, { childList: true });
    });

    // Invalid JSON is named before anything is sent.
    await page.selectOption('#create-kind', 'sleep');
    await page.fill('#create-input', '{"ms": 1500');
    await page.click('.create-form button[type="submit"]');
    await shows(page.locator('#create-input-error'), 'The input is not valid JSON');
    expect(await page.getAttribute('#create-input', 'aria-invalid')).toBe('true');
    expect((await app.gql('{ tasks { totalCount } }')).data.tasks.totalCount).toBe(0);

    await page.fill('#create-input', '{"ms": 1500}');
    expect(await page.locator('#create-input-error').innerText()).toBe('');
    await page.click('.create-form button[type="submit"]');
    const id = (await page.locator('[data-created-id]').getAttribute('data-created-id'))!;
    expect(id).toMatch(/^\d+$/);
    const row = page.locator(`tr[data-task-id="${id}"]`);
    await statusOn(row, 'COMPLETED');

    const seen = (await page.evaluate(() => (window as unknown as { seen: { id: string; status: string; progress: number }[] }).seen)).filter((r) => r.id === id);
    expect(['PENDING', 'RUNNING']).toContain(seen[0].status);
    expect(seen.some((r) => r.status === 'RUNNING' && r.progress > 0 && r.progress < 100)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ status: 'COMPLETED', progress: 100 });
    expect(await row.locator('[role="progressbar"]').getAttribute('aria-valuenow')).toBe('100');
    expect(await taskStatus(id)).toBe('COMPLETED');
    // The counts at the top follow too.
    await waitFor(async () => (await page.locator('[data-stat="COMPLETED"] .stat-count').innerText()) === '1', 10_000, 'the completed count');
    await shows(page.locator('.figures div', { hasText: 'Success rate' }).locator('dd'), '100.0%', true);
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('still here');

    // Filtering by status reads the matching tasks only, and follows tasks into the filter.
    await page.selectOption('#filter-status', 'FAILED');
    await shows(page.locator('tbody .empty'), 'No tasks match this filter');
    const failing = await app.gql(`mutation { createTask(input: { kind: "fail", input: { message: "no such file" }, maxAttempts: 1 }) { task { id } } }`);
    await statusOn(page.locator(`tr[data-task-id="${failing.data.createTask.task.id}"]`), 'FAILED');
    await shows(page.locator('#tasks-heading + p'), '1 task match', true);
    await page.selectOption('#filter-status', 'COMPLETED');
    await row.waitFor();
    // New tasks while the first page is shown: the rows and the count settle on the database's.
    await page.selectOption('#filter-status', '');
    const made = await app.gql(`mutation {
      a: createTask(input: { kind: "sleep", input: { ms: 4000 } }) { task { id } }
      c: createTask(input: { kind: "echo", input: { hello: "world" }, priority: 5 }) { task { id } }
    }`);
    const truth = (await app.gql(`{ tasks { totalCount nodes { id } } }`)).data.tasks;
    expect(truth.totalCount).toBe(4);
    const ids = () => page.locator('tbody tr[data-task-id]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.taskId));
    await waitFor(async () => JSON.stringify(await ids()) === JSON.stringify(truth.nodes.map((t: { id: string }) => t.id)), 10_000, 'the new rows');
    await shows(page.locator('#tasks-heading + p'), '4 tasks', true);
    await waitFor(async () => Number(await page.locator(`tr[data-task-id="${made.data.a.task.id}"] [role="progressbar"]`).getAttribute('aria-valuenow')) > 0, 10_000, 'a running row with progress');
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await page.screenshot({ path: screenshot('dashboard-tasks.png') });
      await page.setViewportSize({ width: 400, height: 860 });
      await page.screenshot({ path: screenshot('dashboard-narrow.png') });
    }
    // A task that leaves the filter leaves the table.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.selectOption('#filter-status', 'RUNNING');
    await statusOn(page.locator(`tr[data-task-id="${made.data.a.task.id}"]`), 'RUNNING');
    await app.gql(`mutation($id: ID!) { cancelTask(id: $id) { task { id } } }`, { id: made.data.a.task.id });
    await shows(page.locator('tbody .empty'), 'No tasks match this filter');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('cancels a running task from its page, then retries it, showing each outcome', async () => {
    const created = await app.gql(`mutation { createTask(input: { kind: "sleep", input: { ms: 60000 } }) { task { id } } }`);
    const id = created.data.createTask.task.id as string;
    const { page, errors } = await openPage(`#/tasks/${id}`);
    const badge = page.locator('.task-details .badge');
    await statusOn(badge, 'RUNNING');
    const workerId = (await app.gql(`query($id: ID!) { task(id: $id) { workerId } }`, { id })).data.task.workerId as string;
    expect(workerId).toBeTruthy();
    await shows(page.locator('.task-details'), `Worker\n${workerId}`);
    await waitFor(() => page.getByRole('button', { name: 'Retry' }).isDisabled(), 10_000, 'a disabled button');

    await page.getByRole('button', { name: 'Cancel' }).click();
    await shows(page.locator('.task-page .outcome'), 'Cancelled.', true);
    await statusOn(badge, 'CANCELLED');
    expect(await taskStatus(id)).toBe('CANCELLED');
    await shows(page.locator('.history'), 'cancelled');
    await waitFor(() => page.getByRole('button', { name: 'Cancel' }).isDisabled(), 10_000, 'a disabled button');

    await page.getByRole('button', { name: 'Retry' }).click();
    await shows(page.locator('.task-page .outcome'), 'Queued to run again.', true);
    await statusOn(badge, 'RUNNING');
    // A refusal shows the error's code. Cancelled behind the page's back, the page turns the
    // button off; a page that has not heard yet (forced here) shows the server's answer.
    await app.gql(`mutation($id: ID!) { cancelTask(id: $id) { task { id } } }`, { id });
    await statusOn(badge, 'CANCELLED');
    await page.evaluate(() => document.querySelector<HTMLButtonElement>('.task-page .actions button.danger')!.removeAttribute('disabled'));
    await page.getByRole('button', { name: 'Cancel' }).click();
    await shows(page.locator('.task-page .outcome'), 'Not cancelled: TASK_FINISHED');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("streams a task's log lines onto its page as they are written", async () => {
    const lines = ['connecting to the source', 'warn: slow response, retrying', 'copied 42 rows'];
    const created = await app.gql(`mutation($input: JSON) { createTask(input: { kind: "talk", input: $input }) { task { id } } }`, {
      input: { lines, pauseMs: 0, held: true },
    });
    const id = created.data.createTask.task.id as string;
    const { page, errors } = await openPage(`#/tasks/${id}`);
    const logs = page.locator('.logs li');
    // The task writes each further line only once the page shows the one before: they arrive live.
    for (let shown = 1; shown <= lines.length; shown++) {
      await waitFor(async () => (await logs.count()) === shown, 10_000, `log line ${shown}`);
      if (shown === lines.length) break;
      await waitFor(async () => nextLine.length > 0, 10_000, 'the task waiting for its next line');
      nextLine.shift()!();
    }
    expect(await logs.locator('.message').allInnerTexts()).toEqual(lines);
    expect(await logs.nth(1).getAttribute('class')).toContain('level-warn');
    await statusOn(page.locator('.task-details .badge'), 'COMPLETED');
    await shows(page.locator('[data-field="result"]'), '"lines": 3');
    if (process.env.UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: screenshot('dashboard-task.png'), fullPage: true });

    // A reload replays the whole history: the same lines, once each.
    await page.reload();
    await waitFor(async () => (await logs.count()) === lines.length, 10_000, 'the replayed log lines');
    expect(await logs.locator('.message').allInnerTexts()).toEqual(lines);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('replays a history longer than one subscription may (BACKFILL_LIMIT) by resuming from its cursor', async () => {
    const lines = Array.from({ length: 150 }, (_, i) => `line ${i + 1}`);
    const created = await app.gql(`mutation($input: JSON) { createTask(input: { kind: "talk", input: $input }) { task { id } } }`, { input: { lines, pauseMs: 0 } });
    const id = created.data.createTask.task.id as string;
    await waitFor(async () => (await taskStatus(id)) === 'COMPLETED', 20_000, 'the task to finish');
    const { page, errors } = await openPage(`#/tasks/${id}`);
    const logs = page.locator('.logs li .message');
    await waitFor(async () => (await logs.count()) === lines.length, 20_000, 'all 150 lines');
    expect(await logs.allInnerTexts()).toEqual(lines);
    await statusOn(page.locator('.task-details .badge'), 'COMPLETED');
    expect(await page.locator('.task-page .error').count()).toBe(0);

    // A task that does not exist, and an id that is not one, each get a clear state.
    await page.goto(`${app.url}/#/tasks/999999`);
    await shows(page.locator('.task-details'), 'There is no task #999999');
    await page.goto(`${app.url}/#/tasks/abc`);
    await shows(page.locator('.task-details'), 'Could not load the task: INVALID_INPUT');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says when the server goes away, reconnects by itself and catches up with what happened meanwhile', async () => {
    const { page } = await openPage();
    const before = await app.gql(`mutation { createTask(input: { kind: "sleep", input: { ms: 100 } }) { task { id } } }`);
    const seenId = before.data.createTask.task.id as string;
    await statusOn(page.locator(`tr[data-task-id="${seenId}"]`), 'COMPLETED');
    const cursorBefore = Number(await page.locator('html').getAttribute('data-cursor'));
    expect(cursorBefore).toBeGreaterThan(0);

    await app.stop();
    const banner = page.locator('#connection-banner');
    await waitFor(async () => (await banner.isVisible()) && (await banner.innerText()).includes('connection to the server was lost'), 10_000, 'the banner');
    expect(await page.locator('.live').getAttribute('data-state')).toBe('lost');

    // Meanwhile another process on the same database creates and completes a task.
    const other = await startApp({ DATABASE_URL: databaseUrl, EXECUTOR_CONCURRENCY: '1' });
    const made = await other.gql(`mutation { createTask(input: { kind: "echo", input: { while: "away" } }) { task { id } } }`);
    const awayId = made.data.createTask.task.id as string;
    await waitFor(async () => (await other.gql(`query($id: ID!) { task(id: $id) { status } }`, { id: awayId })).data.task.status === 'COMPLETED', 10_000, 'the task run while away');
    // The last event in the log: the page must resume its subscription from its cursor and reach it.
    const events = collect<{ taskEvents: { cursor: string; type: string } }>(
      other.ws(),
      `subscription($id: ID!) { taskEvents(taskId: $id, after: "0") { cursor type } }`,
      { id: awayId },
      (items) => items.some((item) => item.taskEvents.type === 'completed'),
    );
    const lastCursor = (await events.finished).at(-1)!.taskEvents.cursor;
    expect(Number(lastCursor)).toBeGreaterThan(cursorBefore);
    await other.stop();
    // Still offline: nothing new on the page yet.
    expect(await page.locator(`tr[data-task-id="${awayId}"]`).count()).toBe(0);

    app = await start();
    await page.locator('.live[data-state="connected"]').waitFor({ timeout: 20_000 });
    await statusOn(page.locator(`tr[data-task-id="${awayId}"]`), 'COMPLETED');
    await shows(banner, 'Reconnected');
    await waitFor(async () => (await page.locator('html').getAttribute('data-cursor')) === lastCursor, 10_000, 'the page to replay the missed events');

    // What the page shows equals the database: every row, and the counts.
    const truth = await app.gql(`{ tasks(first: 20) { nodes { id status } } taskStats { completed total } }`);
    await waitFor(async () => {
      const rows = await page.locator('tbody tr[data-task-id]').evaluateAll((trs) => trs.map((tr) => ({ id: (tr as HTMLElement).dataset.taskId, status: (tr as HTMLElement).dataset.status })));
      return JSON.stringify(rows) === JSON.stringify(truth.data.tasks.nodes);
    }, 10_000, 'the rows to equal the database');
    await waitFor(async () => (await page.locator('[data-stat="TOTAL"] .stat-count').innerText()) === String(truth.data.taskStats.total), 10_000, 'the total count');
    expect(await page.locator('[data-stat="COMPLETED"] .stat-count').innerText()).toBe(String(truth.data.taskStats.completed));
    await page.close();
  });

  it('pages with the cursors, filters by kind, and opens a task from the keyboard', async () => {
    const inputs = Array.from({ length: 23 }, (_, i) => ({ kind: 'echo', input: { n: i } }));
    await app.gql(`mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { tasks { id } } }`, { inputs });
    const truth = (await app.gql(`{ tasks(first: 500, kind: ["echo"]) { nodes { id } } }`)).data.tasks.nodes.map((t: { id: string }) => t.id);
    const { page, errors } = await openPage();
    await page.selectOption('#filter-kind', 'echo');
    const ids = () => page.locator('tbody tr[data-task-id]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.taskId!));
    const showing = (expected: string[]) => waitFor(async () => JSON.stringify(await ids()) === JSON.stringify(expected), 10_000, `rows ${expected[0]}..${expected.at(-1)}`);
    await showing(truth.slice(0, 20));
    expect(await page.inputValue('#filter-kind')).toBe('echo');
    await page.getByRole('button', { name: 'Older ›' }).click();
    await showing(truth.slice(20, 40));
    expect(await page.getByRole('button', { name: 'Older ›' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '‹ Newer' }).click();
    await showing(truth.slice(0, 20));

    // The filter is in the URL: a reload (or the link, shared) shows the same filtered list.
    expect(new URL(page.url()).hash).toBe('#/?kind=echo');
    await page.reload();
    await showing(truth.slice(0, 20));
    expect(await page.inputValue('#filter-kind')).toBe('echo');
    // The nav link back to the list keeps the filter; a link naming another one applies it.
    await page.goto(`${app.url}/#/workers`);
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await showing(truth.slice(0, 20));
    await page.goto(`${app.url}/#/?status=COMPLETED&kind=no-such-kind`);
    await waitFor(async () => (await ids()).length === 0, 10_000, 'the other filter');
    expect(await page.inputValue('#filter-status')).toBe('COMPLETED');
    await page.goto(`${app.url}/#/?kind=echo`);
    await showing(truth.slice(0, 20));

    // Tab through the page to the first task's link; Enter opens its page.
    await page.locator('body').focus();
    let focused = '';
    for (let i = 0; i < 40 && focused !== `#${truth[0]}`; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
    }
    expect(focused).toBe(`#${truth[0]}`);
    await page.keyboard.press('Enter');
    await waitFor(async () => page.url().endsWith(`#/tasks/${truth[0]}`), 10_000, "the task's page");
    await shows(page.locator('[data-field="input"]'), `"n": 22`);
    expect(errors).toEqual([]);
    await page.close();
  });
});
