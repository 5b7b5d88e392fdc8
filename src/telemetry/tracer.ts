// The product's tracer, or undefined while no tracer provider is registered: callers then skip
// every span, attribute and context switch, so a server without tracing pays one function call.
import { trace, type Tracer, type TracerProvider } from '@opentelemetry/api';

export const TRACER_NAME = 'graphql-task-executor';

type MaybeProxy = TracerProvider & { getDelegateTracer?(name: string): Tracer | undefined };

/**
 * Looked up on every call rather than kept: the SDK may be registered after this module loads
 * (by the setup, an embedding app or a test), and through its own copy of @opentelemetry/api (the
 * SDK packages are CommonJS, this code is ESM), which shares the registration through a global
 * but not the proxy object handed out before it.
 */
export function activeTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider() as MaybeProxy;
  if (typeof provider.getDelegateTracer === 'function') return provider.getDelegateTracer(TRACER_NAME);
  return provider.getTracer(TRACER_NAME);
}

/** Whether a tracer provider is registered globally (by anyone): then it is used as it is. */
export const tracerRegistered = () => activeTracer() !== undefined;
