// Headless Debian Chromium for the dashboard tests, driven by playwright-core (no browser
// download), and the waits those tests share. Each waits for what the page shows, never for time.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { TaskKind } from '../../src/tasks/kind.js';
import { startApp, waitFor, type TestApp } from './app.js';
import { freshDatabase } from './db.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Where UPDATE_SCREENSHOTS=1 writes the README's pictures. */
export const screenshotPath = (name: string) => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));

/** The page it loads was built by build-dashboard.ts, the run's global setup. */
export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Waits until the element's text includes `text` (or equals it, with exact). */
export const shows = (locator: Locator, text: string, exact = false) =>
  waitFor(async () => {
    const shown = await locator.innerText({ timeout: 1000 }).catch(() => '');
    return exact ? shown.trim() === text : shown.includes(text);
  }, 10_000, `"${text}" on the page`);

/** Waits until the element (a row or a badge) carries this task status. */
export const statusOn = (locator: Locator, status: string) =>
  waitFor(async () => (await locator.getAttribute('data-status', { timeout: 1000 }).catch(() => null)) === status, 20_000, `${status} on the page`);

/**
 * Opens the dashboard at `hash` once its socket is connected; `errors` collects what the page
 * reported (uncaught exceptions, console errors) for a test to check is empty.
 */
export async function openDashboard(browser: Browser, url: string, hash = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto(`${url}/${hash}`);
  await page.locator('.live[data-state="connected"]').waitFor({ timeout: 10_000 });
  return { page, errors };
}

/**
 * For a dashboard test file: a headless Chromium, a fresh database and a server on it, started
 * before its tests and stopped after them.
 */
export function dashboardForFile(env: Record<string, string>, kinds: Record<string, TaskKind> = {}) {
  const made: { app?: TestApp; browser?: Browser; drop?: () => Promise<void> } = {};
  beforeAll(async () => {
    made.browser = await launchBrowser();
    const db = await freshDatabase();
    made.drop = db.drop;
    made.app = await startApp({ DATABASE_URL: db.url, ...env }, kinds);
  });
  afterAll(async () => {
    await made.browser?.close();
    await made.app?.stop();
    await made.drop?.();
  });
  return {
    get app(): TestApp {
      return made.app!;
    },
    /** A page of the dashboard at `hash`, with the errors it logs. */
    open: (hash: string) => openDashboard(made.browser!, made.app!.url, hash),
  };
}
