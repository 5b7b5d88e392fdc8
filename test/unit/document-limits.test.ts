// The document limits, checked while validating: depth and fields once fragments are expanded,
// a fragment bomb refused as fast as a plain query, a fragment cycle left to graphql-js.
import { parse, specifiedRules, validate } from 'graphql';
import { expect, it } from 'vitest';
import { documentLimitsRule } from '../../src/graphql/limits.js';
import { schema } from '../../src/graphql/schema.js';

const errors = (query: string, maxDepth = 4, maxFields = 50) =>
  validate(schema, parse(query), [...specifiedRules, documentLimitsRule({ maxDepth, maxFields })]).map((e) => e.extensions?.code ?? e.message);

it('passes what is within the limits', () => {
  expect(errors('{ tasks { nodes { id error { code } } } }')).toEqual([]);
  expect(errors('{ ...F } fragment F on Query { taskKinds }')).toEqual([]);
});

it('refuses a document too deep or too wide, counting fields inside fragments', () => {
  expect(errors('{ tasks { edges { node { error { code } } } } }')).toEqual(['QUERY_TOO_COMPLEX']);
  expect(errors(`{ ${Array.from({ length: 51 }, (_, i) => `a${i}: taskKinds`).join(' ')} }`)).toEqual(['QUERY_TOO_COMPLEX']);
  const viaFragments = `{ ...A ...A2 } fragment A on Query { ${Array.from({ length: 30 }, (_, i) => `a${i}: taskKinds`).join(' ')} }
    fragment A2 on Query { ...A }`;
  // 60 fields once expanded; graphql-js itself accepts the document.
  expect(errors(viaFragments, 4, 1000)).toEqual([]);
  expect(errors(viaFragments, 4, 50)).toEqual(['QUERY_TOO_COMPLEX']);
});

it('refuses a fragment bomb without expanding it', () => {
  const bomb = Array.from({ length: 40 }, (_, i) => `fragment F${i + 1} on Query { ...F${i} ...F${i} }`).join('\n');
  const started = performance.now();
  expect(errors(`query { ...F40 }\nfragment F0 on Query { taskKinds }\n${bomb}`, 12, 500)).toEqual(['QUERY_TOO_COMPLEX']);
  // 2^40 fields expanded would never finish; stopping at the limit takes microseconds.
  expect(performance.now() - started).toBeLessThan(1000);
});

it('leaves a fragment cycle to the rule of graphql-js that reports it', () => {
  const found = errors('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }');
  expect(found.some((e) => typeof e === 'string' && e.includes('Cannot spread fragment'))).toBe(true);
  expect(found).not.toContain('QUERY_TOO_COMPLEX');
});
