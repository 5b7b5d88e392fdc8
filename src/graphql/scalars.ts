import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { builder } from './builder.js';

const invalid = (message: string) => new GraphQLError(message, { extensions: { code: 'INVALID_INPUT' } });

function literal(node: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((v) => literal(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
  }
}

builder.scalarType('JSON', {
  description: 'Any JSON value: object, array, string, number, boolean or null.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value === 'number' && !Number.isFinite(value)) throw invalid('JSON numbers must be finite');
    return value;
  },
  parseLiteral: (node, variables) => literal(node, variables),
});

// RFC 3339 with a time zone, as Postgres stores it; a bare date or a local time is ambiguous.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function parseDate(value: unknown): Date {
  if (typeof value !== 'string' || !RFC3339.test(value)) {
    throw invalid('DateTime must be an RFC 3339 string with a time zone, like 2030-01-01T12:00:00Z');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid(`${value} is not a valid DateTime`);
  return date;
}

builder.scalarType('DateTime', {
  description: 'A point in time as an RFC 3339 string, like 2030-01-01T12:00:00.000Z.',
  serialize: (value) => (value as Date).toISOString(),
  parseValue: parseDate,
  parseLiteral: (node) => parseDate(node.kind === Kind.STRING ? node.value : undefined),
});
