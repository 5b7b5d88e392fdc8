// The code stays easy to read in parts: no function in src/ (a factory with its inner functions
// counted in) is longer than 100 lines, and no module much over 300 (generated typed documents aside).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';

const MAX_FUNCTION_LINES = 100;
const MAX_MODULE_LINES = 330;
const root = new URL('../../src', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') && !path.endsWith('generated.ts') ? [path] : [];
  });
}

function longFunctions(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (end - start + 1 > MAX_FUNCTION_LINES) {
        const name = (node as ts.FunctionDeclaration).name?.getText() ?? `(function at line ${start + 1})`;
        found.push(`${relative(root, path)}: ${name} is ${end - start + 1} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

it(`no function in src/ is over ${MAX_FUNCTION_LINES} lines`, () => {
  expect(files(root).flatMap(longFunctions)).toEqual([]);
});

it(`no module in src/ is over ${MAX_MODULE_LINES} lines`, () => {
  const long = files(root)
    .map((path) => [relative(root, path), readFileSync(path, 'utf8').split('\n').length] as const)
    .filter(([, lines]) => lines > MAX_MODULE_LINES);
  expect(long).toEqual([]);
});
