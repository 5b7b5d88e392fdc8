// A kind's JSON Schema as a GraphQL input type, so that frontend codegen sees real fields: objects
// become input objects (required properties non-null), string enums become enums, arrays lists,
// integers Int when bounded within 32 bits (else Float: GraphQL's Int cannot hold more), and what
// GraphQL cannot say (unions, references, maps, names GraphQL does not allow) stays JSON. The
// schema itself is still checked at create, so a looser GraphQL type never lets a bad input in.
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLScalarType,
} from 'graphql';
import type { JsonSchema } from '../tasks/schemas.js';

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const INT32 = 2 ** 31;

/** "resize-image", "resizeImage" or "image.resize/v2" as ResizeImage, ResizeImage, ImageResizeV2. */
export function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const pascal = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return /^[0-9]/.test(pascal) ? `Kind${pascal}` : pascal;
}

interface Shape {
  type: GraphQLInputType;
  /** null is a value the schema accepts: the GraphQL type stays nullable. */
  nullable: boolean;
}

/** The types of `type: [...]` without "null", and whether "null" was among them. */
function typesOf(schema: JsonSchema): { types: string[]; nullable: boolean } {
  const raw = schema.type;
  const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
  return { types: list.filter((t) => t !== 'null'), nullable: list.includes('null') || schema.nullable === true };
}

export function inputTypeOf(schema: JsonSchema, typeName: string, json: GraphQLScalarType): GraphQLInputType {
  const made = new Set<string>();

  function shape(node: unknown, name: string): Shape {
    if (typeof node !== 'object' || node === null) return { type: json, nullable: true };
    const s = node as JsonSchema;
    // zod's nullable(), and JSON Schema's usual way to say "X or null": X, nullable.
    const branches = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
    if (Array.isArray(branches) && branches.length === 2) {
      const isNull = (b: unknown) => (b as JsonSchema | null)?.type === 'null';
      const other = branches.find((b) => !isNull(b));
      if (other && branches.some(isNull)) return { type: shape(other, name).type, nullable: true };
    }
    const { types, nullable } = typesOf(s);
    if (Array.isArray(s.enum)) return { type: enumOf(s.enum, name) ?? json, nullable: nullable || s.enum.includes(null) };
    if (types.length !== 1) return { type: json, nullable: true };
    switch (types[0]) {
      case 'string':
        return { type: GraphQLString, nullable };
      case 'boolean':
        return { type: GraphQLBoolean, nullable };
      case 'number':
        return { type: GraphQLFloat, nullable };
      case 'integer':
        return { type: fitsInt(s) ? GraphQLInt : GraphQLFloat, nullable };
      case 'array': {
        if (typeof s.items !== 'object' || s.items === null || Array.isArray(s.items)) return { type: json, nullable };
        const item = shape(s.items, `${name}Item`);
        return { type: new GraphQLList(item.nullable ? item.type : new GraphQLNonNull(item.type)), nullable };
      }
      case 'object':
        return { type: objectOf(s, name) ?? json, nullable };
      default:
        return { type: json, nullable: true };
    }
  }

  /** Int only when the schema bounds it within 32 bits: an unbounded integer may not fit GraphQL's Int. */
  function fitsInt(s: JsonSchema): boolean {
    const low = s.minimum ?? s.exclusiveMinimum;
    const high = s.maximum ?? s.exclusiveMaximum;
    return low !== undefined && high !== undefined && Number(low) >= -INT32 && Number(high) <= INT32 - 1;
  }

  function enumOf(values: unknown[], name: string): GraphQLEnumType | undefined {
    const names = values.filter((v) => v !== null);
    if (names.length === 0 || !names.every((v) => typeof v === 'string' && NAME.test(v) && !['true', 'false', 'null'].includes(v))) return undefined;
    return new GraphQLEnumType({ name: unique(name), values: Object.fromEntries((names as string[]).map((v) => [v, { value: v }])) });
  }

  function objectOf(s: JsonSchema, name: string): GraphQLInputObjectType | undefined {
    const properties = s.properties;
    if (typeof properties !== 'object' || properties === null) return undefined; // a map: JSON
    const entries = Object.entries(properties as Record<string, unknown>);
    if (entries.length === 0 || !entries.every(([key]) => NAME.test(key))) return undefined;
    const required = new Set(Array.isArray(s.required) ? s.required.map(String) : []);
    const typeName = unique(name);
    const fields: GraphQLInputFieldConfigMap = {};
    for (const [key, property] of entries) {
      const field = shape(property, `${typeName}${pascalCase(key)}`);
      const description = typeof (property as JsonSchema)?.description === 'string' ? ((property as JsonSchema).description as string) : undefined;
      fields[key] = { type: required.has(key) && !field.nullable ? new GraphQLNonNull(field.type) : field.type, description };
    }
    return new GraphQLInputObjectType({ name: typeName, fields, description: typeof s.description === 'string' ? s.description : undefined });
  }

  /** A type's name, numbered when two properties come to the same one (a_b and aB). */
  function unique(name: string): string {
    let taken = name;
    for (let n = 2; made.has(taken); n++) taken = `${name}${n}`;
    made.add(taken);
    return taken;
  }

  return shape(schema, typeName).type;
}
