// A kind's input and result schemas, whatever they were written in: any Standard Schema library
// (zod, valibot, arktype...) or a plain JSON Schema object (checked by Ajv). Both come down to one
// check that lists every failing path, and, where the library can say it, a JSON Schema from
// which the GraphQL input type of the kind's typed mutation is generated.
import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export is the function, under default again for ESM callers.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** A JSON Schema object (draft 2020-12; draft-07 keywords are accepted too). */
export type JsonSchema = Record<string, unknown>;
export type SchemaSource = StandardSchemaV1 | JsonSchema;

export interface SchemaIssue {
  /** Where the value is wrong: `$` for the whole value, `$.size.width`, `$.tags[2]`. */
  readonly path: string;
  readonly message: string;
}

export type Checked = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly issues: readonly SchemaIssue[] };

/** Marks what toKindSchema made: a zod schema has a check method of its own, so a method cannot tell. */
const MADE = Symbol('kind schema');

export interface KindSchema {
  readonly [MADE]: true;
  /** The value as the schema gives it back (a Standard Schema may apply defaults), or every issue. */
  check(value: unknown): Checked | Promise<Checked>;
  /** The JSON Schema of what is accepted, when known: it shapes the generated GraphQL type. */
  readonly jsonSchema: JsonSchema | undefined;
}

function isStandard(source: SchemaSource): source is StandardSchemaV1 {
  return typeof (source as StandardSchemaV1)['~standard']?.validate === 'function';
}

/** `$`, then `.key` or `[index]` per step. */
export function formatPath(path: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined): string {
  let text = '$';
  for (const step of path ?? []) {
    const key = typeof step === 'object' && step !== null ? step.key : step;
    text += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  }
  return text;
}

function standardIssues(issues: ReadonlyArray<StandardSchemaV1.Issue>): SchemaIssue[] {
  return issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** A JSON Schema of a Standard Schema that also implements Standard JSON Schema (zod 4, valibot, arktype). */
function jsonSchemaOf(source: StandardSchemaV1): JsonSchema | undefined {
  const converter = (source as unknown as Partial<StandardJSONSchemaV1>)['~standard']?.jsonSchema;
  try {
    return converter?.input({ target: 'draft-2020-12' }) as JsonSchema | undefined;
  } catch {
    return undefined; // a schema the library cannot express (a transform, a custom check): typed as JSON
  }
}

export const isKindSchema = (value: unknown): value is KindSchema => typeof value === 'object' && value !== null && MADE in value;

/** A schema as written (or one made already) as the check a kind carries. */
export function toKindSchema(source: SchemaSource | KindSchema, what: string): KindSchema {
  if (isKindSchema(source)) return source;
  if (isStandard(source)) {
    const standard = source['~standard'];
    const settle = (result: StandardSchemaV1.Result<unknown>): Checked =>
      result.issues ? { ok: false, issues: standardIssues(result.issues) } : { ok: true, value: result.value };
    return {
      [MADE]: true,
      check(value) {
        const result = standard.validate(value);
        return result instanceof Promise ? result.then(settle) : settle(result);
      },
      jsonSchema: jsonSchemaOf(source),
    };
  }
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw new TypeError(`${what} must be a Standard Schema (zod, valibot, ...) or a JSON Schema object`);
  }
  let validate: ReturnType<Ajv2020['compile']>;
  try {
    // One Ajv per schema: two kinds whose schemas share an $id must not collide. Formats (email,
    // uri, date-time...) are checked, and defaults applied, on a copy: the stored input stays as given.
    const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true });
    addFormats(ajv);
    validate = ajv.compile(source);
  } catch (error) {
    throw new TypeError(`${what} is not a valid JSON Schema: ${(error as Error).message}`);
  }
  return {
    [MADE]: true,
    check(given) {
      // Checked as it is stored, as JSON (a Date as its string), on a copy that defaults may fill in.
      let value: unknown;
      try {
        const json = JSON.stringify(given);
        value = json === undefined ? null : JSON.parse(json);
      } catch (error) {
        return { ok: false, issues: [{ path: '$', message: `is not JSON: ${(error as Error).message}` }] };
      }
      if (validate(value)) return { ok: true, value };
      return {
        ok: false,
        issues: (validate.errors ?? []).map((e) => ({ path: pointerToPath(e.instancePath), message: e.message ?? 'is invalid' })),
      };
    },
    jsonSchema: source,
  };
}

/** Ajv's `/size/width` or `/tags/2` as `$.size.width`, `$.tags[2]`. */
function pointerToPath(pointer: string): string {
  if (!pointer) return '$';
  const steps = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return formatPath(steps);
}

/** One line a person can act on: every issue, path first. */
export function describeIssues(what: string, issues: readonly SchemaIssue[]): string {
  return `${what}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`;
}
