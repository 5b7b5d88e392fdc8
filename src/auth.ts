// API keys with scopes. Only SHA-256 hashes of the keys are kept in memory, and a presented key is
// compared with every stored hash in constant time, so neither a memory dump nor response timing
// gives a key away.
import { createHash, timingSafeEqual } from 'node:crypto';

export const SCOPES = ['read', 'write', 'worker', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface StoredKey {
  readonly name: string;
  readonly hash: Buffer;
  readonly scopes: ReadonlySet<Scope>;
}

export interface Principal {
  readonly name: string;
  readonly scopes: ReadonlySet<Scope>;
}

const digest = (key: string) => createHash('sha256').update(key).digest();

/** Parses the API_KEYS JSON; throws a message naming what is wrong. */
export function parseKeys(json: string): StoredKey[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('is not valid JSON');
  }
  if (!Array.isArray(raw)) throw new Error('must be a JSON array of { name, key, scopes }');
  const names = new Set<string>();
  return raw.map((entry, i) => {
    const { name, key, scopes } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || !name) throw new Error(`entry ${i}: name must be a non-empty string`);
    if (names.has(name)) throw new Error(`entry ${i}: name ${JSON.stringify(name)} is used twice`);
    names.add(name);
    if (typeof key !== 'string' || key.length < 16) throw new Error(`entry ${i} (${name}): key must be a string of at least 16 characters`);
    if (!Array.isArray(scopes) || scopes.some((s) => !SCOPES.includes(s))) {
      throw new Error(`entry ${i} (${name}): scopes must be a list of ${SCOPES.join(', ')}`);
    }
    return { name, hash: digest(key), scopes: new Set(scopes as Scope[]) };
  });
}

/** The principal a key belongs to, or null. Every stored hash is compared, match or not. */
export function authenticate(keys: readonly StoredKey[], presented: string | undefined | null): Principal | null {
  if (!presented) return null;
  const hash = digest(presented);
  let found: StoredKey | null = null;
  for (const key of keys) if (timingSafeEqual(hash, key.hash) && !found) found = key;
  return found && { name: found.name, scopes: found.scopes };
}

/** The key from `Authorization: Bearer <key>`. */
export function bearer(header: string | null | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
