import { basename, dirname } from 'node:path';

/**
 * Tracing is on when an OTLP endpoint is configured (the standard OpenTelemetry variables); with
 * neither set nothing of the SDK is loaded.
 */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) && env.OTEL_SDK_DISABLED !== 'true';
}

/**
 * The service name when OTEL_SERVICE_NAME is unset: the process's directory in this repository
 * (`gateway/src/index.ts` → gateway, `subgraphs/cart/src/index.ts` → cart).
 */
export function defaultServiceName(entry: string | undefined = process.argv[1]): string {
  if (!entry) return 'shop';
  const dir = dirname(dirname(entry));
  return basename(dir) || 'shop';
}

/** `http/protobuf` (the OTLP default) or `http/json`; gRPC is not bundled. */
export function otlpProtocol(env: NodeJS.ProcessEnv = process.env): 'http/protobuf' | 'http/json' {
  const value = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  return value === 'http/json' ? 'http/json' : 'http/protobuf';
}
