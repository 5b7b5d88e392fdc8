// The OpenTelemetry SDK, assembled and registered globally. Imported only by setup.ts, and only
// when tracing is on: nothing else may import this module, or every server would load the SDK.
import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from '../logger.js';
import type { SpanExporterName } from './setup.js';
import { TRACER_NAME } from './tracer.js';

/**
 * Registers a provider exporting to each named exporter; returns its stop. The OTLP exporter
 * reads OTEL_EXPORTER_OTLP_* itself, the batch processor OTEL_BSP_*, the provider
 * OTEL_TRACES_SAMPLER and the span limits, the resource OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
 */
export function registerProvider(exporters: readonly SpanExporterName[], log: Logger): () => Promise<void> {
  // The SDK reports a collector it cannot reach through diag, which is silent unless given a logger.
  const sdkLog = log.child({ component: 'tracing' });
  diag.setLogger(
    {
      error: (message, ...args) => sdkLog.warn({ args }, message),
      warn: (message, ...args) => sdkLog.warn({ args }, message),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: TRACER_NAME }))
    .merge(detectResources({ detectors: [envDetector] }));
  const spanProcessors: SpanProcessor[] = exporters.map((name) =>
    // Console output is for watching spans as they happen, not for throughput.
    name === 'console' ? new SimpleSpanProcessor(new ConsoleSpanExporter()) : new BatchSpanProcessor(new OTLPTraceExporter()),
  );
  const provider = new NodeTracerProvider({ resource, spanProcessors });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return async () => {
    try {
      await provider.shutdown();
    } catch (error) {
      sdkLog.warn({ err: error }, 'could not export the last spans');
    }
    // Unregistered, so that an app started again in this process may register anew.
    trace.disable();
    context.disable();
    propagation.disable();
    diag.disable();
  };
}
