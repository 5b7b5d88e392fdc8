// The queues view in Chromium: each queue's rules and counts live over queueUpdated, and the
// pause, resume and limit controls, against a real server.
import { describe, expect, it } from 'vitest';
import { postgresUrl } from './support/db.js';
import { dashboardForFile, hasChromium, screenshotPath as screenshot, shows } from './support/browser.js';

describe.skipIf(!postgresUrl || !hasChromium)('dashboard queues in Chromium', () => {
  const dash = dashboardForFile({ EXECUTOR_CONCURRENCY: '4' });

  it('shows the queues live, and pauses, resumes and limits one', async () => {
    await dash.app.gql(`mutation { createTask(input: { kind: "echo", queue: "emails" }) { task { id } } }`);
    const { page, errors } = await dash.open('#/queues');
    const card = page.locator('[data-queue="emails"]');
    await shows(card.locator('h3'), 'emails', true);
    await shows(card.locator('[data-field="pending"]'), '0', true);

    await card.getByRole('button', { name: 'Pause' }).click();
    await shows(card.locator('.outcome'), 'Paused.', true);
    await shows(card.locator('.badge'), 'Paused', true);
    // Tasks created while it is paused are counted as pending and held, live.
    await dash.app.gql(`mutation { createTasks(inputs: [{ kind: "echo", queue: "emails" }, { kind: "echo", queue: "emails" }]) { tasks { id } } }`);
    await shows(card.locator('[data-field="pending"]'), '2', true);
    await shows(card.locator('[data-field="held"]'), '2', true);

    await card.getByLabel('Concurrency').fill('3');
    await card.getByLabel('Starts').fill('100');
    await card.getByLabel('per seconds').fill('60');
    await card.getByRole('button', { name: 'Save' }).click();
    await shows(card.locator('.outcome'), 'Limits saved.', true);
    await shows(card.locator('[data-field="rate"]'), '100 per 60 s', true);
    const { data } = await dash.app.gql(`{ queue(name: "emails") { concurrency rateLimit { limit periodSeconds } } }`);
    expect(data.queue).toEqual({ concurrency: 3, rateLimit: { limit: 100, periodSeconds: 60 } });
    if (process.env.UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: screenshot('dashboard-queues.png') });

    await card.getByLabel('Concurrency').fill('-2');
    await card.getByRole('button', { name: 'Save' }).click();
    await shows(card.locator('.outcome'), 'Concurrency must be a whole number');

    await card.getByRole('button', { name: 'Resume' }).click();
    await shows(card.locator('.badge'), 'Active', true);
    await shows(card.locator('[data-field="pending"]'), '0', true);
    await shows(card.locator('[data-field="running"]'), '0 of 3', true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
