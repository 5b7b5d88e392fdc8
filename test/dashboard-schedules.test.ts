// The schedules view in Chromium: each schedule with its next tick and the task its last tick
// made, and pause and resume, against a real server.
import { describe, expect, it } from 'vitest';
import { postgresUrl } from './support/db.js';
import { waitFor } from './support/app.js';
import { dashboardForFile, hasChromium, shows } from './support/browser.js';

describe.skipIf(!postgresUrl || !hasChromium)('dashboard schedules in Chromium', () => {
  const dash = dashboardForFile({ EXECUTOR_CONCURRENCY: '2' });

  it('lists a schedule with its last tick, and pauses and resumes it', async () => {
    const { errors: refused } = await dash.app.gql(`mutation { upsertSchedule(input: { name: "every-second", cron: "* * * * * *", kind: "echo" }) { name } }`);
    expect(refused).toBeUndefined();
    await waitFor(async () => (await dash.app.gql(`{ schedule(name: "every-second") { lastTask { id } } }`)).data.schedule.lastTask, 10_000, 'a first tick');
    const { page, errors } = await dash.open('#/schedules');
    const row = page.locator('[data-schedule="every-second"]');
    await shows(row.locator('code'), '* * * * * *', true);
    await expect.poll(() => row.locator('a[href^="#/tasks/"]').count(), { timeout: 10_000 }).toBe(1);
    await row.getByRole('button', { name: 'Pause' }).click();
    await shows(page.locator('[role="status"] .ok'), 'every-second paused.');
    await shows(row.locator('[data-field="next"]'), 'paused', true);
    expect((await dash.app.gql(`{ schedule(name: "every-second") { paused } }`)).data.schedule.paused).toBe(true);
    await row.getByRole('button', { name: 'Resume' }).click();
    await shows(page.locator('[role="status"] .ok'), 'every-second resumed.');
    expect((await dash.app.gql(`{ schedule(name: "every-second") { paused } }`)).data.schedule.paused).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });
});
