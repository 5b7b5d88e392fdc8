// Tracing from the standard OTEL_* variables. Off unless they ask for it (an exporter named, or an
// OTLP endpoint given, and OTEL_SDK_DISABLED not true); then the SDK is loaded, by a dynamic import
// so that a server without tracing never loads it, and registered globally. A tracer provider
// someone else registered (an embedding app, a test, a --require'd agent) is used as it is.
import type { Logger } from '../logger.js';
import { tracerRegistered } from './tracer.js';

export type SpanExporterName = 'otlp' | 'console';
const KNOWN: readonly string[] = ['otlp', 'console'];

export interface TracingChoice {
  exporters: SpanExporterName[];
  /** Named in OTEL_TRACES_EXPORTER but not built in (zipkin, jaeger, ...): skipped, with a warning. */
  unknown: string[];
}

const given = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** What the variables ask for; undefined when tracing stays off. */
export function tracingWanted(env: Record<string, string | undefined>): TracingChoice | undefined {
  if (given(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true') return undefined;
  const named = given(env.OTEL_TRACES_EXPORTER);
  const endpoint = given(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ?? given(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const names = named ? named.split(',').map((n) => n.trim().toLowerCase()).filter(Boolean) : endpoint ? ['otlp'] : [];
  if (names.length === 0 || names.includes('none')) return undefined;
  const exporters = [...new Set(names.filter((n) => KNOWN.includes(n)))] as SpanExporterName[];
  const unknown = names.filter((n) => !KNOWN.includes(n));
  return { exporters, unknown };
}

export interface Tracing {
  /** True when this process set up the provider (and so flushes and removes it on stop). */
  readonly own: boolean;
  /** Exports the spans still buffered and unregisters the provider this set up; nothing otherwise. */
  stop(): Promise<void>;
}

const NOTHING: Tracing = { own: false, stop: async () => {} };

/**
 * The provider this module registered and how many servers of this process use it: the last to
 * stop unregisters it, so one server stopping does not turn tracing off for another still running.
 */
let shared: { users: number; stop(): Promise<void> } | undefined;

function use(registered: NonNullable<typeof shared>): Tracing {
  registered.users++;
  let released = false;
  return {
    own: true,
    async stop() {
      if (released) return;
      released = true;
      if (--registered.users > 0) return;
      if (shared === registered) shared = undefined;
      await registered.stop();
    },
  };
}

export async function startTracing(env: Record<string, string | undefined>, log: Logger): Promise<Tracing> {
  const choice = tracingWanted(env);
  if (!choice) return NOTHING;
  if (choice.unknown.length > 0) log.warn({ exporters: choice.unknown }, 'OTEL_TRACES_EXPORTER names exporters that are not built in (otlp, console); skipped');
  if (shared) return use(shared);
  if (tracerRegistered()) {
    log.info('a tracer provider is registered already: spans go to it');
    return NOTHING;
  }
  if (choice.exporters.length === 0) return NOTHING;
  const protocol = given(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ?? given(env.OTEL_EXPORTER_OTLP_PROTOCOL);
  if (choice.exporters.includes('otlp') && protocol && protocol !== 'http/json') {
    log.warn({ protocol }, 'only OTLP over http/json is built in: spans are sent as http/json');
  }
  const { registerProvider } = await import('./provider.js');
  // Another server of this process may have registered it while the SDK was loading.
  if (shared) return use(shared);
  shared = { users: 0, stop: registerProvider(choice.exporters, log) };
  log.info({ exporters: choice.exporters }, 'tracing on');
  return use(shared);
}
