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
  [P in K]: P extends Text ? (null extends Selected<T>[P] ? AsText<NonNullable<Selected<T>[P]>> | null : AsText<Selected<T>[P]>) : Selected<T>[P];
};

/** An id as text, or an array of ids as an array of text. */
type AsText<V> = V extends readonly unknown[] ? string[] : string;

export interface Selection<R> {
  /** The select list, each column named as its key. */
  readonly list: SQL;
  decode(row: Row): R;
}

/** How a column arrives when it is not already in its decoded shape. */
type Wire = 'date' | 'number' | 'string';

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
  const converted: Array<[string, Wire]> = [];
  for (const key of keys) {
    const { name, columnType } = columns[key];
    const column = `${alias}.${name}`;
    const asText = (text as readonly string[]).includes(key);
    let expression = column;
    if (columnType === 'PgTimestamp') {
      expression = `(extract(epoch FROM ${column}) * 1000)::float8`;
      converted.push([key, 'date']);
    } else if (columnType === 'PgBigInt53') {
      expression = asText ? `${column}::text` : `${column}::float8`;
      converted.push([key, asText ? 'string' : 'number']);
    } else if (columnType === 'PgArray') {
      expression = asText ? `to_jsonb(${column}::text[])` : `to_jsonb(${column})`;
    }
    parts.push(sql.raw(`${expression} AS "${key}"`));
  }
  return {
    list: sql.join(parts, sql`, `),
    // In place: a claim or a page decodes hundreds of rows, so only the columns that need it are
    // touched. The row keeps any other column its statement selected (the reads of its NOTIFY);
    // the type leaves them out, and nothing reads them.
    decode(row) {
      for (const [key, wire] of converted) {
        const value = row[key];
        if (value !== null && value !== undefined) row[key] = wire === 'date' ? new Date(Number(value)) : wire === 'number' ? Number(value) : String(value);
      }
      return row as Decoded<T, K, Text>;
    },
  };
}
