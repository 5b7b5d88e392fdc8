// What NOTIFY payloads say, and what the event pump does about each: parse, skip, move on or read.
import { expect, it } from 'vitest';
import { parseDueNotice, parseEventNotice } from '../../src/store/index.js';
import { arrayLiteral } from '../../src/store/statement.js';
import { planNotice } from '../../src/tasks/events.js';

it('parses an event notice, and refuses anything else', () => {
  expect(parseEventNotice('n|created,started|1200|1234')).toEqual({ wake: true, types: ['created', 'started'], before: 1200, last: 1234 });
  expect(parseEventNotice('|log|5|6')).toEqual({ wake: false, types: ['log'], before: 5, last: 6 });
  for (const bad of ['', 'n', 'x|log|5|6', 'n|log|5', 'n|log|five|6', 'n|log|5|6|7', 'n|log|-1|6']) expect(parseEventNotice(bad)).toBeNull();
});

it('parses a due notice, skipping entries not of its form', () => {
  expect(parseDueNotice('350:email.send,1200:report')).toEqual([{ inMs: 350, kind: 'email.send' }, { inMs: 1200, kind: 'report' }]);
  expect(parseDueNotice('x:y,12,:k,40:a:b')).toEqual([{ inMs: 40, kind: 'a:b' }]);
  expect(parseDueNotice('')).toEqual([]);
});

it('plans what a notice asks of the pump', () => {
  const nobody = () => true;
  const someone = () => false;
  // Already read: nothing to do, but new work still wakes the executor.
  expect(planNotice('n|created|10|12', 12, false, nobody)).toEqual({ wakes: true, read: 'no' });
  // Follows on from what was seen, and nobody here follows those types: move on without a read.
  expect(planNotice('|log|12|15', 12, false, nobody)).toEqual({ wakes: false, read: 'advance', to: 15 });
  // Someone follows them, or something between was missed, or a read is pending: read.
  expect(planNotice('|log|12|15', 12, false, someone)).toEqual({ wakes: false, read: 'now' });
  expect(planNotice('|log|13|15', 12, false, nobody)).toEqual({ wakes: false, read: 'now' });
  expect(planNotice('|log|12|15', 12, true, nobody)).toEqual({ wakes: false, read: 'now' });
  // New work reads a turn later, after the executor's claim; so does a bare 'n' from an older server.
  expect(planNotice('n|created|12|15', 12, false, someone)).toEqual({ wakes: true, read: 'next-turn' });
  expect(planNotice('n', 12, false, nobody)).toEqual({ wakes: true, read: 'next-turn' });
  expect(planNotice('garbage', 12, false, nobody)).toEqual({ wakes: false, read: 'now' });
});

it('writes a Postgres array literal that keeps every character', () => {
  expect(arrayLiteral([])).toBe('{}');
  expect(arrayLiteral(['a', 'b c'])).toBe('{"a","b c"}');
  expect(arrayLiteral(['q"uote', 'back\\slash', 'com,ma', 'new\nline'])).toBe('{"q\\"uote","back\\\\slash","com,ma","new\nline"}');
});
