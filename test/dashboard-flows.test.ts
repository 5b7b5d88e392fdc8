// The flows views in Chromium: the list, and a flow's page drawing its graph with each node
// coloured by its task's status, live, as the flow runs, against a real server.
import { describe, expect, it } from 'vitest';
import type { TaskKind } from '../src/tasks/kind.js';
import { postgresUrl } from './support/db.js';
import { dashboardForFile, hasChromium, screenshotPath as screenshot, shows } from './support/browser.js';

// Runs until the test opens its gate: the page is looked at while the flow is halfway.
let openGate = () => {};
const gated: TaskKind = { run: () => new Promise<void>((resolve) => (openGate = resolve)) };

describe.skipIf(!postgresUrl || !hasChromium)('dashboard flows in Chromium', () => {
  const dash = dashboardForFile({ EXECUTOR_CONCURRENCY: '4' }, { gated });

  it('lists a flow, draws its graph and recolours the nodes as its tasks run', async () => {
    const { data } = await dash.app.gql(`mutation { createFlow(input: { name: "etl", tasks: [
      { ref: "extract", kind: "gated" },
      { ref: "a", kind: "echo", dependsOn: ["extract"] },
      { ref: "b", kind: "echo", dependsOn: ["extract"] },
      { ref: "load", kind: "echo", dependsOn: ["a", "b"] }
    ] }) { id } }`);
    const flowId = data.createFlow.id as string;
    const { page, errors } = await dash.open('#/flows');
    await page.getByRole('link', { name: `#${flowId} etl` }).click();
    await shows(page.locator('#flow-heading'), `Flow #${flowId}`, true);
    const nodes = page.locator('.flow-graph .node');
    await expect.poll(() => nodes.count()).toBe(4);
    await expect.poll(() => page.locator('.flow-graph .node[data-status="WAITING"]').count()).toBe(3);
    await expect.poll(() => page.locator('.flow-graph .edge').count()).toBe(4);
    // The task nodes are laid out by depth: extract, then a and b, then load.
    const xs = await nodes.evaluateAll((els) => els.map((el) => Number(el.querySelector('rect')!.getAttribute('x'))));
    expect(new Set(xs).size).toBe(3);
    openGate();
    await expect.poll(() => page.locator('.flow-graph .node[data-status="COMPLETED"]').count(), { timeout: 10_000 }).toBe(4);
    await shows(page.locator('.flow-summary .badge'), 'Completed', true);
    if (process.env.UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: screenshot('dashboard-flow.png') });
    expect(errors).toEqual([]);
    await page.close();
  });
});
