// Limits on the shape of a GraphQL document, checked during validation before anything runs:
// nesting depth and the number of fields selected once fragments are expanded (which is what
// aliases by the thousand or fragments multiplied into each other inflate).
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

export interface DocumentLimits {
  maxDepth: number;
  maxFields: number;
}

export function documentLimitsRule(limits: DocumentLimits) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    return {
      OperationDefinition(operation) {
        let fields = 0;
        let deepest = 0;
        // Depth-first over the expanded selection; a fragment already on the path is a cycle,
        // which another rule reports, so it is not followed here.
        const walk = (set: SelectionSetNode, depth: number, path: Set<string>): boolean => {
          for (const selection of set.selections) {
            if (selection.kind === Kind.FIELD) {
              fields++;
              deepest = Math.max(deepest, depth);
              if (fields > limits.maxFields || deepest > limits.maxDepth) return false;
              if (selection.selectionSet && !walk(selection.selectionSet, depth + 1, path)) return false;
            } else if (selection.kind === Kind.INLINE_FRAGMENT) {
              if (!walk(selection.selectionSet, depth, path)) return false;
            } else {
              const name = selection.name.value;
              const fragment = fragments.get(name);
              if (!fragment || path.has(name)) continue;
              path.add(name);
              const ok = walk(fragment.selectionSet, depth, path);
              path.delete(name);
              if (!ok) return false;
            }
          }
          return true;
        };
        if (!walk(operation.selectionSet, 1, new Set())) {
          const what = fields > limits.maxFields ? `more than ${limits.maxFields} fields` : `deeper than ${limits.maxDepth} levels`;
          context.reportError(
            new GraphQLError(`The operation selects ${what}; simplify it or split it`, {
              nodes: [operation],
              extensions: { code: 'QUERY_TOO_COMPLEX' },
            }),
          );
        }
      },
    };
  };
}
