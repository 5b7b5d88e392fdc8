// The dashboard when the server requires access keys: it asks for one, says when it is refused,
// and then sends it on HTTP (Authorization) and on the socket (connection_init), for the session;
// a key the socket later refuses (4403) is dropped and asked for again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, postgresUrl } from './support/db.js';
import { freePort } from './support/free-port.js';
import { startApp, waitFor, type TestApp } from './support/app.js';
import { hasChromium, launchBrowser, statusOn } from './support/browser.js';

describe.skipIf(!postgresUrl || !hasChromium)('dashboard with access keys', () => {
  const KEY = 'dashboard-test-key-0123456789';
  let app: TestApp;
  let drop: () => Promise<void>;
  let browser: import('playwright-core').Browser;
  let env: Record<string, string>;
  const keys = (key: string) => JSON.stringify([{ name: 'ops', key, scopes: ['read', 'write'] }]);
  beforeAll(async () => {
    const db = await freshDatabase();
    drop = db.drop;
    env = { DATABASE_URL: db.url, HOST: '127.0.0.1', PORT: String(await freePort()) };
    app = await startApp({ ...env, API_KEYS: keys(KEY) });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await drop?.();
  });

  it('asks for a key, refuses a wrong one, works over HTTP and WebSocket with the right one for the session, and asks again once the socket refuses it', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/`);
    const problem = page.locator('#key-problem');
    await problem.waitFor({ timeout: 10_000 });
    expect(await problem.innerText()).toContain('requires an access key');
    await page.fill('#api-key', 'not-the-right-key-at-all');
    await page.click('.key-form button[type="submit"]');
    await waitFor(async () => (await problem.innerText().catch(() => '')).includes('not accepted'), 10_000, 'the refusal');

    await page.fill('#api-key', KEY);
    await page.click('.key-form button[type="submit"]');
    // Connected means the socket's connection_init carried the key (a wrong one closes it with 4403).
    await page.locator('.live[data-state="connected"]').waitFor({ timeout: 10_000 });
    await page.selectOption('#create-kind', 'echo');
    await page.click('.create-form button[type="submit"]');
    const id = await page.locator('[data-created-id]').getAttribute('data-created-id');
    await statusOn(page.locator(`tr[data-task-id="${id}"]`), 'COMPLETED');

    // A reload keeps the key (sessionStorage); "Forget key" asks again.
    await page.reload();
    await page.locator('.live[data-state="connected"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#api-key').count()).toBe(0);
    await page.getByRole('button', { name: 'Forget key' }).click();
    await page.locator('#api-key').waitFor({ timeout: 10_000 });
    await page.fill('#api-key', KEY);
    await page.click('.key-form button[type="submit"]');
    await page.locator('.live[data-state="connected"]').waitFor({ timeout: 10_000 });

    // The server comes back with other keys: the socket is refused (4403), the page says so, drops
    // the key and asks for another.
    await app.stop();
    app = await startApp({ ...env, API_KEYS: keys('a-different-key-0123456789') });
    await page.locator('.live[data-state="refused"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#connection-banner').innerText()).toContain('refused the connection');
    await page.locator('#api-key').waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.close();
  });
});
