// Typed documents for the dashboard and the CLI, generated from schema.graphql and the documents
// they send: `npm run codegen` writes them, `npm test` fails when they are out of date, and the
// type-check fails when a schema change breaks what a document selects or how its result is used.
import type { CodegenConfig } from '@graphql-codegen/cli';

const output = {
  plugins: ['typescript-operations', 'typed-document-node'],
  config: {
    documentMode: 'string',
    enumsAsTypes: true,
    onlyOperationTypes: true,
    skipTypename: true,
    useTypeImports: true,
    scalars: { DateTime: 'string', JSON: 'unknown' },
  },
};

const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'web/src/graphql/generated.ts': { ...output, documents: 'web/src/graphql/*.graphql' },
    'src/cli/generated.ts': { ...output, documents: 'src/cli/*.graphql' },
  },
  hooks: {},
};

export default config;
