// Typed rows from the drizzle schema. postgres.js and PGlite return int8, timestamptz and arrays in
// different shapes, so each column is selected in one shape both read alike (timestamps as epoch
// milliseconds, int8 as float8 or text, arrays as jsonb), named as its key in the table's
// $inferSelect, and decoded back to that type here: no statement casts its rows by hand.
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Row } from '../db/client.js';

type Selected<T extends PgTable> = T['$inferSelect'];

/** The chosen columns of a table's row; those in `Text` read as strings (ids that travel as text). */
export type Decoded<T extends PgTable, K extends keyof Selected<T>, Text extends K = never> = {
  [P in K]: P extends Text ? (null extends Selected<T>[P] ? string | null : string) : Selected<T>[P];
};

export interface Selection<R> {
  /** The select list, each column named as its key. */
  readonly list: SQL;
  decode(row: Row): R;
}

type Decoder = (value: unknown) => unknown;

const asDate: Decoder = (v) => (v === null || v === undefined ? null : new Date(Number(v)));
const asNumber: Decoder = (v) => (v === null || v === undefined ? null : Number(v));
const asString: Decoder = (v) => (v === null || v === undefined ? null : String(v));
const asIs: Decoder = (v) => v ?? null;

/**
 * The select list and decoder for `keys` of `table`, its columns read from `alias` (a table or CTE
 * name). Bigint columns named in `text` are read as text, the others as float8 (they are counters
 * and ids below 2^53). Arrays of ids read as arrays of strings when named in `text`.
 */
export function selection<T extends PgTable, K extends keyof Selected<T> & string, Text extends K = never>(
  table: T,
  alias: string,
  keys: readonly K[],
  text: readonly Text[] = [],
): Selection<Decoded<T, K, Text>> {
  const columns = getTableColumns(table) as Record<string, { name: string; columnType: string }>;
  const parts: SQL[] = [];
  const decoders: Array<[string, Decoder]> = [];
  for (const key of keys) {
    const { name, columnType } = columns[key];
    const column = `${alias}.${name}`;
    const asText = (text as readonly string[]).includes(key);
    let expression = column;
    let decode = asIs;
    if (columnType === 'PgTimestamp') {
      expression = `(extract(epoch FROM ${column}) * 1000)::float8`;
      decode = asDate;
    } else if (columnType === 'PgBigInt53') {
      expression = asText ? `${column}::text` : `${column}::float8`;
      decode = asText ? asString : asNumber;
    } else if (columnType === 'PgArray') {
      expression = asText ? `to_jsonb(${column}::text[])` : `to_jsonb(${column})`;
    }
    parts.push(sql.raw(`${expression} AS "${key}"`));
    decoders.push([key, decode]);
  }
  return {
    list: sql.join(parts, sql`, `),
    decode(row) {
      const decoded: Record<string, unknown> = {};
      for (const [key, decode] of decoders) decoded[key] = decode(row[key]);
      return decoded as Decoded<T, K, Text>;
    },
  };
}
