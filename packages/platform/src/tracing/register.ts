/**
 * Preload for every process of the stack: `node --import @shop/platform/tracing-register <entry>`.
 * Off (returns at once, loads nothing more) unless OTEL_EXPORTER_OTLP_ENDPOINT is set. It must run
 * before the application's modules load: the ESM loader hook and the library patches only see
 * modules imported after them, which an import at the top of an entry point cannot guarantee.
 */
import { tracingEnabled } from './config.ts';

if (tracingEnabled()) {
  const { startTracing } = await import('./sdk.ts');
  await startTracing();
}
