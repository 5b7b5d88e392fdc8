// How the command-line client reads its options and prints its answers: every command alike.
import { Refused } from './client.js';

/** The answer as indented JSON on stdout; exit 0. */
export function print(value: unknown): number {
  console.log(JSON.stringify(value, null, 2));
  return 0;
}

export const int = (name: string, raw: unknown) => {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw)) throw new Refused(`--${name} must be an integer`);
  return Number(raw);
};
export const text = (raw: unknown) => (typeof raw === 'string' ? raw : undefined);
export const list = (raw: unknown) => (Array.isArray(raw) ? raw : undefined);

/** --input as JSON; undefined when it is not given. */
export function json(raw: unknown): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(String(raw));
  } catch {
    throw new Refused('--input is not valid JSON');
  }
}
