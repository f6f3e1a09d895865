import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import type { IncomingMessage } from 'node:http';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { defaultServiceName, otlpProtocol } from './config.ts';
import { setTracingFlush } from './context.ts';

/** Probes and scrapes would be most of the traces and say nothing. */
const isProbe = (req: IncomingMessage) => Boolean(req.url?.startsWith('/health') || req.url === '/metrics');

/**
 * Starts the tracer provider (OTLP/protobuf over HTTP to OTEL_EXPORTER_OTLP_ENDPOINT, batched;
 * or OTLP/JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json; the exporter reads the standard
 * OTEL_EXPORTER_OTLP_* variables, the batcher OTEL_BSP_*), the W3C
 * trace-context propagator, and the instrumentations: HTTP in and out, undici (the gateway's subgraph
 * calls and fetch), Postgres, Redis and GraphQL (parse, validate, execute).
 * Statements and commands are traced only inside a traced request or message (`requireParentSpan`):
 * the outbox relay's polling would otherwise be a trace every 100 ms.
 */
export async function startTracing(): Promise<void> {
  // ESM: the loader hook lets the instrumentations patch modules the application imports.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: defaultServiceName() }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(otlpProtocol() === 'http/json' ? new JsonExporter() : new ProtobufExporter())],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: instrumentations(),
  });
  await waitForAllMessagesAcknowledged();

  // Spans still in the batch leave before the process does (the servers exit on SIGTERM via process.exit).
  const flush = () => provider.shutdown().catch(() => undefined);
  setTracingFlush(flush);
  process.once('beforeExit', () => void flush());
}

/** The instrumentations, less those named in OTEL_NODE_DISABLED_INSTRUMENTATIONS (e.g. `graphql,pg`). */
function instrumentations() {
  const disabled = new Set((process.env.OTEL_NODE_DISABLED_INSTRUMENTATIONS ?? '').split(',').map((name) => name.trim()));
  const all = {
    http: () => new HttpInstrumentation({ ignoreIncomingRequestHook: isProbe }),
    undici: () => new UndiciInstrumentation(),
    pg: () => new PgInstrumentation({ requireParentSpan: true }),
    ioredis: () => new IORedisInstrumentation({ requireParentSpan: true }),
    // Parse, validate and execute only; root fields get their own spans (resolvers.ts).
    graphql: () => new GraphQLInstrumentation({ ignoreResolveSpans: true }),
  };
  return Object.entries(all)
    .filter(([name]) => !disabled.has(name))
    .map(([, make]) => make());
}
