// GraphiQL at /graphql in a real headless Chromium: run the example mutation, then the example
// subscription, and watch the task's state change live in the result pane.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, postgresUrl } from './support/db.js';
import { startApp, waitFor, type TestApp } from './support/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe.skipIf(!postgresUrl || !existsSync(CHROMIUM))('playground in Chromium', () => {
  let app: TestApp;
  let drop: () => Promise<void>;
  let browser: import('playwright-core').Browser;
  beforeAll(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    app = await startApp({ DATABASE_URL: db.url, EXECUTOR_CONCURRENCY: '2' });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await drop?.();
  });

  it('runs the example mutation and follows the task live over the subscription', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${app.url}/graphql`);
    const pane = page.locator('.graphiql-response');
    // The editor renders spaces as no-break spaces; compare with plain ones.
    const text = async () => (await pane.innerText()).replace(/\s+/g, ' ');
    await page.click('.graphiql-execute-button');
    await page.getByRole('menuitem', { name: 'Create' }).click();
    await waitFor(async () => (await text()).includes('"createTask"'), 10_000, 'the mutation result');
    // RUNNING when the idle executor took it in the create statement, PENDING when it was busy.
    expect(await text()).toMatch(/"task": \{ "id": "1", "status": "(RUNNING|PENDING)" \}/);

    await page.click('.graphiql-execute-button');
    await page.getByRole('menuitem', { name: 'Follow' }).click();
    // The same pane shows RUNNING with progress, then COMPLETED, without another click.
    await waitFor(async () => (await text()).includes('"RUNNING"'), 10_000, 'RUNNING in the pane');
    await waitFor(async () => (await text()).includes('"COMPLETED"'), 10_000, 'COMPLETED in the pane');
    expect(await text()).toContain('"sleptMs": 3000');
    // UPDATE_SCREENSHOTS=1 refreshes the picture in the README.
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await page.screenshot({ path: fileURLToPath(new URL('../docs/playground.png', import.meta.url)) });
    }
  });
});
