import { queuedNoops } from './queued.js';
const { db, store } = await queuedNoops('bench_explain', 20000, 2);
await store.workers.register?.({} as never).catch?.(() => {});
for (let i = 0; i < 40; i++) {
  const c = await store.claims.claim('w', ['noop'], 524, 30);
  if (c.length) await store.claims.finish('w', c.map((t) => ({ id: t.id, attempt: t.attempts, status: 'completed' as const, result: null })));
}
const c = await store.claims.claim('w', ['noop'], 524, 30);
console.log('claimed', c.length, 'held', c.held);
await db.close();
