// What a handler's result or throw makes of the task: pure, so every case is checked here.
import { expect, it } from 'vitest';
import { TaskFailure } from '../../src/tasks/kind.js';
import { errorOf, outcomeOf, rejectedData, resultProblem, storeRefused, timeoutFailure } from '../../src/tasks/outcome.js';

const limits = { retryBackoffMs: 1000, retryBackoffMaxMs: 60_000, maxPayloadBytes: 100 };
const task = (attempts: number, maxAttempts = 3) => ({ id: '7', attempts, maxAttempts });

it('a result completes the task; one that is not storable fails it with a reason', () => {
  expect(outcomeOf(task(1), { ok: true, result: { a: 1 } }, limits)).toEqual({ id: '7', attempt: 1, status: 'completed', result: { a: 1 } });
  expect(outcomeOf(task(1), { ok: true, result: undefined }, limits)).toMatchObject({ status: 'completed', result: null });
  expect(outcomeOf(task(1), { ok: true, result: 'x'.repeat(200) }, limits)).toMatchObject({ status: 'failed', error: { code: 'RESULT_TOO_LARGE' } });
  expect(outcomeOf(task(1), { ok: true, result: { big: 10n } }, limits)).toMatchObject({ status: 'failed', error: { code: 'INVALID_RESULT' } });
  expect(resultProblem('a\u0000b', 100)).toMatchObject({ code: 'INVALID_RESULT' });
  // A failed result is not retried: the handler ran to the end and would produce it again.
  expect(outcomeOf(task(1), { ok: true, result: 'x'.repeat(200) }, limits).delayMs).toBeUndefined();
});

it('an error is retried after a backoff while attempts remain, then fails for good', () => {
  const retry = outcomeOf(task(2), { ok: false, error: new Error('boom') }, limits);
  expect(retry).toMatchObject({ status: 'pending', error: { code: 'HANDLER_ERROR', message: 'boom' } });
  expect(retry.delayMs).toBeGreaterThanOrEqual(1000);
  expect(retry.delayMs).toBeLessThanOrEqual(2000);
  expect(outcomeOf(task(3), { ok: false, error: new Error('boom') }, limits)).toMatchObject({ status: 'failed' });
  expect(outcomeOf(task(1), { ok: false, error: new TaskFailure('no', 'BAD', false) }, limits)).toMatchObject({ status: 'failed', error: { code: 'BAD' } });
});

it('a timeout on the last attempt is TIMED_OUT; before it, a retry', () => {
  expect(outcomeOf(task(3), { ok: false, error: timeoutFailure(30) }, limits)).toMatchObject({
    status: 'timed_out',
    error: { code: 'TIMEOUT', message: 'Timed out after 30 s' },
  });
  expect(outcomeOf(task(1), { ok: false, error: timeoutFailure(30) }, limits).status).toBe('pending');
});

it('turns anything thrown into a message and a code, without NUL', () => {
  expect(errorOf(Object.assign(new Error('a\u0000b'), { code: 'E\u0000X' }))).toEqual({ message: 'ab', code: 'EX' });
  expect(errorOf('plain')).toEqual({ message: 'Handler threw a non-Error value: plain', code: 'HANDLER_ERROR' });
  expect(errorOf({ reason: 1 })).toEqual({ message: 'Handler threw a non-Error value: {"reason":1}', code: 'HANDLER_ERROR' });
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  expect(errorOf(circular).message).toBe('Handler threw a non-Error value: [object Object]');
  expect(errorOf('x'.repeat(10_000)).message.length).toBe(4096);
  expect(errorOf(new Error('')).message).toBe('Error');
});

it('tells a refused outcome from a lost connection, and records the refused one as failed', () => {
  expect(['22P02', '23505', 'P0001'].map((code) => rejectedData({ code }))).toEqual([true, true, true]);
  expect(['08006', '57P01', 'CONNECTION_CLOSED', undefined].map((code) => rejectedData({ code }))).toEqual([false, false, false, false]);
  const refused = storeRefused({ id: '7', attempt: 2, status: 'completed', result: 1 }, new Error('bad json'));
  expect(refused).toEqual({ id: '7', attempt: 2, status: 'failed', error: { code: 'OUTCOME_NOT_STORED', message: 'The database refused this outcome: bad json' } });
});
