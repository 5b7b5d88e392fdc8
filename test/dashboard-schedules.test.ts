// The schedules view in Chromium: each schedule with its next tick and the task its last tick
// made, and pause and resume, against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, postgresUrl } from './support/db.js';
import { startApp, waitFor, type TestApp } from './support/app.js';
import { hasChromium, launchBrowser, openDashboard, shows } from './support/browser.js';

describe.skipIf(!postgresUrl || !hasChromium)('dashboard schedules in Chromium', () => {
  let app: TestApp;
  let drop: () => Promise<void>;
  let browser: import('playwright-core').Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
    const db = await freshDatabase();
    drop = db.drop;
    app = await startApp({ DATABASE_URL: db.url, EXECUTOR_CONCURRENCY: '2' });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await drop?.();
  });

  it('lists a schedule with its last tick, and pauses and resumes it', async () => {
    const { errors: refused } = await app.gql(`mutation { upsertSchedule(input: { name: "every-second", cron: "* * * * * *", kind: "echo" }) { name } }`);
    expect(refused).toBeUndefined();
    await waitFor(async () => (await app.gql(`{ schedule(name: "every-second") { lastTask { id } } }`)).data.schedule.lastTask, 10_000, 'a first tick');
    const { page, errors } = await openDashboard(browser, app.url, '#/schedules');
    const row = page.locator('[data-schedule="every-second"]');
    await shows(row.locator('code'), '* * * * * *', true);
    await expect.poll(() => row.locator('a[href^="#/tasks/"]').count(), { timeout: 10_000 }).toBe(1);
    await row.getByRole('button', { name: 'Pause' }).click();
    await shows(page.locator('[role="status"] .ok'), 'every-second paused.');
    await shows(row.locator('[data-field="next"]'), 'paused', true);
    expect((await app.gql(`{ schedule(name: "every-second") { paused } }`)).data.schedule.paused).toBe(true);
    await row.getByRole('button', { name: 'Resume' }).click();
    await shows(page.locator('[role="status"] .ok'), 'every-second resumed.');
    expect((await app.gql(`{ schedule(name: "every-second") { paused } }`)).data.schedule.paused).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });
});
