// The zero-setup mode: no DATABASE_URL, the embedded PGlite database in DATA_DIR. Runs without
// any Postgres installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, startApp, type TestApp } from './support/app.js';

describe('embedded database (PGlite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'task-executor-'));
  let app: TestApp | undefined;
  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates and completes a task seen through a subscription, and keeps it across a restart', async () => {
    app = await startApp({ DATABASE_URL: undefined, DATA_DIR: dataDir });
    expect(app.db.kind).toBe('pglite');
    const { data } = await app.gql(`mutation { createTask(input: { kind: "sleep", input: { ms: 200 } }) { task { id status } } }`);
    const id = data.createTask.task.id;
    const updates = await collect(app.ws(), `subscription($id: ID!) { taskUpdated(id: $id) { status result } }`, { id }).finished;
    expect(updates.at(-1).taskUpdated).toEqual({ status: 'COMPLETED', result: { sleptMs: 200 } });
    const events = await collect(
      app.ws(),
      `subscription($id: ID!) { taskEvents(after: "0", taskId: $id) { type } }`,
      { id },
      (items) => items.some((i) => i.taskEvents.type === 'completed'),
    ).finished;
    expect(events.map((e) => e.taskEvents.type).filter((t) => t !== 'progress')).toEqual(['created', 'started', 'completed']);
    expect((await fetch(`${app.url}/ready`)).status).toBe(200);
    await app.stop();

    app = await startApp({ DATABASE_URL: undefined, DATA_DIR: dataDir });
    const again = await app.gql(`query($id: ID!) { task(id: $id) { status result } }`, { id });
    expect(again.data.task).toEqual({ status: 'COMPLETED', result: { sleptMs: 200 } });
  });
});
