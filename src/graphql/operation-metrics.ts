// Counts GraphQL operations by name, type and outcome, with their duration. For a subscription the
// duration is its setup; its events are counted by the task metrics instead.
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../metrics.js';

export function useOperationMetrics(metrics: Metrics): Plugin {
  const hook = (args: { document: Parameters<typeof getOperationAST>[0]; operationName?: string | null }) => {
    const started = performance.now();
    const operation = getOperationAST(args.document, args.operationName ?? undefined);
    const name = args.operationName ?? operation?.name?.value;
    const type = operation?.operation ?? 'unknown';
    return (result: unknown) => {
      const errors = (result as { errors?: unknown[] } | undefined)?.errors;
      metrics.operation(name, type, errors?.length ? 'error' : 'ok', (performance.now() - started) / 1000);
    };
  };
  return {
    onExecute({ args }) {
      const done = hook(args);
      return { onExecuteDone: ({ result }) => done(result) };
    },
    onSubscribe({ args }) {
      const done = hook(args);
      return { onSubscribeResult: ({ result }) => done(result) };
    },
  };
}
