// A span per GraphQL operation, `graphql.<type> <name>`, continuing the caller's trace from the
// request's traceparent header (over HTTP, or the WebSocket's upgrade request), and active while
// the resolvers run, so that the tasks a mutation creates store it. For a subscription the span
// covers its setup, as the operation metrics count it. Without a tracer provider it does nothing.
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span, type TextMapGetter } from '@opentelemetry/api';
import type { Plugin } from 'graphql-yoga';
import type { IncomingHttpHeaders } from 'node:http';
import { activeTracer } from '../telemetry/tracer.js';

type Carrier = Headers | IncomingHttpHeaders;

const getter: TextMapGetter<Carrier> = {
  keys: (carrier) => (carrier instanceof Headers ? [...carrier.keys()] : Object.keys(carrier)),
  get: (carrier, key) => (carrier instanceof Headers ? (carrier.get(key) ?? undefined) : carrier[key]),
};

/** The yoga context's request (HTTP) or the socket's upgrade request (graphql-ws, websocket.ts). */
function headersOf(contextValue: unknown): Carrier | undefined {
  const value = contextValue as { request?: { headers?: unknown }; req?: { headers?: IncomingHttpHeaders } } | undefined;
  if (value?.request?.headers instanceof Headers) return value.request.headers;
  return value?.req?.headers;
}

/**
 * The parent: the active span when something (an HTTP server instrumentation, say) already made
 * one for this request, else the caller's, from its traceparent.
 */
function parentOf(contextValue: unknown): Context {
  const active = context.active();
  if (trace.getSpan(active)) return active;
  const headers = headersOf(contextValue);
  return headers ? propagation.extract(active, headers, getter) : active;
}

interface OperationArgs {
  document: DocumentNode;
  operationName?: string | null;
  contextValue?: unknown;
}

function settle(span: Span, result: unknown) {
  const errors = (result as ExecutionResult | undefined)?.errors;
  if (errors?.length) span.setStatus({ code: SpanStatusCode.ERROR, message: errors[0].message });
  span.end();
}

/**
 * fn, run in the operation's span; the span ends with its result (an async iterable: once it is
 * set up). It begins when fn is called, so a later plugin that never calls it leaves no span open.
 */
function traced<A extends OperationArgs>(fn: (args: A) => unknown, args: A): ((args: A) => Promise<unknown>) | undefined {
  const tracer = activeTracer();
  if (!tracer) return undefined;
  const operation = getOperationAST(args.document, args.operationName ?? undefined);
  const type = operation?.operation ?? 'unknown';
  const name = args.operationName ?? operation?.name?.value;
  return async (a) => {
    const parent = parentOf(a.contextValue);
    const span = tracer.startSpan(
      name ? `graphql.${type} ${name}` : `graphql.${type}`,
      { kind: SpanKind.SERVER, attributes: { 'graphql.operation.type': type, ...(name && { 'graphql.operation.name': name }) } },
      parent,
    );
    const within = trace.setSpan(parent, span);
    try {
      const result = await context.with(within, fn, undefined, a);
      settle(span, result);
      return result;
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      span.end();
      throw error;
    }
  };
}

export function useOperationTraces(): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const wrapped = traced(executeFn, args);
      if (wrapped) setExecuteFn(wrapped as typeof executeFn);
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const wrapped = traced(subscribeFn, args);
      if (wrapped) setSubscribeFn(wrapped as typeof subscribeFn);
    },
  };
}
