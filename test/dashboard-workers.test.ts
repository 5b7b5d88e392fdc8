// The workers view in Chromium: each worker live (state, concurrency, running count over
// workerUpdated), and the pause, resume and concurrency controls, against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, postgresUrl } from './support/db.js';
import { startApp, waitFor, type TestApp } from './support/app.js';
import { hasChromium, launchBrowser, openDashboard, screenshotPath as screenshot, shows } from './support/browser.js';

/** The app's one active worker: the executor registers it with its first heartbeat, just after start. */
async function activeWorker(app: TestApp): Promise<{ id: string; name: string }> {
  const workers = await waitFor(async () => {
    const { data } = await app.gql<{ workers: { id: string; name: string }[] }>(`{ workers(state: [ACTIVE]) { id name } }`);
    return data.workers.length > 0 && data.workers;
  }, 10_000, 'an active worker');
  expect(workers).toHaveLength(1);
  return workers[0];
}

describe.skipIf(!postgresUrl || !hasChromium)('dashboard workers in Chromium', () => {
  let app: TestApp;
  let drop: () => Promise<void>;
  let browser: import('playwright-core').Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
    const db = await freshDatabase();
    drop = db.drop;
    // A short lease makes the heartbeat, which reports a worker's running count, beat every 2 s.
    const env = { DATABASE_URL: db.url, EXECUTOR_CONCURRENCY: '2', LEASE_SECONDS: '6' };
    // A server that has come and gone leaves an offline worker behind.
    const gone = await startApp(env);
    await activeWorker(gone);
    await gone.stop();
    app = await startApp(env);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await drop?.();
  });

  const openPage = (hash = '') => openDashboard(browser, app.url, hash);

  it('shows the workers live, and pauses, resumes and resizes one', async () => {
    const { id, name } = await activeWorker(app);
    const { page, errors } = await openPage('#/workers');
    const card = page.locator(`[data-worker-id="${id}"]`);
    await shows(card.locator('h3'), name, true);
    await shows(card.locator('.worker-state'), 'Active', true);
    await shows(card.locator('[data-field="running"]'), '0 of 2', true);
    // The server stopped before this one is listed too, as offline.
    expect(await page.locator('.worker.state-offline').count()).toBe(1);

    // A running task shows in the worker's count with no reload (its heartbeat reports it).
    const created = await app.gql(`mutation { createTask(input: { kind: "sleep", input: { ms: 60000 } }) { task { id } } }`);
    const taskId = created.data.createTask.task.id as string;
    await shows(card.locator('[data-field="running"]'), '1 of 2', true);

    await card.getByRole('button', { name: 'Pause' }).click();
    await shows(card.locator('.outcome'), 'Paused.', true);
    await shows(card.locator('.worker-state'), 'Paused', true);
    expect((await app.gql(`query($id: ID!) { worker(id: $id) { state } }`, { id })).data.worker.state).toBe('PAUSED');
    await card.getByRole('button', { name: 'Resume' }).click();
    await shows(card.locator('.worker-state'), 'Active', true);

    await card.getByLabel('Concurrency').fill('3');
    await card.getByRole('button', { name: 'Set' }).click();
    await shows(card.locator('.outcome'), 'Concurrency set to 3.', true);
    await shows(card.locator('[data-field="running"]'), '1 of 3', true);
    expect((await app.gql(`query($id: ID!) { worker(id: $id) { concurrency } }`, { id })).data.worker.concurrency).toBe(3);
    if (process.env.UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: screenshot('dashboard-workers.png') });
    await card.getByLabel('Concurrency').fill('-1');
    await card.getByRole('button', { name: 'Set' }).click();
    await shows(card.locator('.outcome'), 'Concurrency must be a whole number');

    await app.gql(`mutation($id: ID!) { cancelTask(id: $id) { task { id } } }`, { id: taskId });
    await shows(card.locator('[data-field="running"]'), '0 of 3', true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
