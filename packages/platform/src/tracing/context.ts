import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

/*
 * Trace context across NATS: the W3C `traceparent` of the transaction that writes an outbox row is
 * stored with the row, the relay publishes the row under a producer span and sends that span's
 * context in the message headers, and the consumer handles the message in a consumer span that is
 * its child. Without a registered SDK every call here is a no-op of the OpenTelemetry API.
 */

const tracer = () => trace.getTracer('@shop/platform');
/** Whether this process started the SDK; when not, the helpers below skip even the API's no-op spans. */
const tracing = () => flush !== undefined;

/** Headers of a NATS message (`MsgHdrs`): what extraction reads. */
export interface HeaderReader {
  get(key: string): string;
}
/** What injection writes (`MsgHdrs` or a plain record). */
export interface HeaderWriter {
  set(key: string, value: string): void;
}

const headerGetter: TextMapGetter<HeaderReader | undefined> = {
  keys: () => [],
  // MsgHdrs.get answers '' for a missing header; the propagator wants undefined.
  get: (carrier, key) => carrier?.get(key) || undefined,
};

/** The active span's `traceparent` (for the outbox row), or null when nothing is traced. */
export function currentTraceparent(active: Context = context.active()): string | null {
  if (!tracing()) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  return carrier.traceparent ?? null;
}

/** The context a stored or received `traceparent` continues (the root context when it is absent or malformed). */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/** Write the given context's trace headers (traceparent, tracestate) into message headers. */
export function injectTraceHeaders(headers: HeaderWriter, active: Context = context.active()): void {
  propagation.inject(active, headers, { set: (carrier, key, value) => carrier.set(key, value) });
}

/** The context carried by received message headers. */
export function contextFromHeaders(headers: HeaderReader | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}

const messagingAttributes = (subject: string, operation: 'publish' | 'process', extra: Attributes = {}): Attributes => ({
  'messaging.system': 'nats',
  'messaging.destination.name': subject,
  'messaging.operation.type': operation,
  ...extra,
});

/**
 * The producer span of one outbox row, child of the transaction that wrote it; `fn` gets the
 * span's context to send in the headers. Rows written while nothing was traced publish as before.
 */
export function publishSpan<T>(subject: string, traceparent: string | null | undefined, eventId: string, fn: (active: Context | undefined) => T): T {
  if (!traceparent || !tracing()) return fn(undefined);
  const span = tracer().startSpan(
    `publish ${subject}`,
    { kind: SpanKind.PRODUCER, attributes: messagingAttributes(subject, 'publish', { 'messaging.message.id': eventId }) },
    contextFromTraceparent(traceparent),
  );
  const result = fn(trace.setSpan(context.active(), span));
  // A publish resolves on the stream's ack: the span lasts until then.
  if (result instanceof Promise) void result.finally(() => span.end()).catch(() => undefined);
  else span.end();
  return result;
}

/** Run a consumer's handling of one message in a consumer span, child of the producer span in its headers. */
export async function consumeSpan<T>(subject: string, durable: string, headers: HeaderReader | undefined, fn: () => Promise<T>): Promise<T> {
  if (!tracing()) return fn();
  const parent = contextFromHeaders(headers);
  return tracer().startActiveSpan(
    `process ${subject}`,
    { kind: SpanKind.CONSUMER, attributes: messagingAttributes(subject, 'process', { 'messaging.consumer.group.name': durable }) },
    parent,
    (span) => endedAfter(span, fn),
  );
}

/**
 * A core NATS request (request-reply, not an event): a client span, child of the active span,
 * whose context `fn` sends in the request's headers. Without tracing, `fn` gets no headers.
 */
export async function requestSpan<T>(subject: string, fn: (headers: MsgHdrs | undefined) => Promise<T>): Promise<T> {
  if (!tracing()) return fn(undefined);
  return tracer().startActiveSpan(`request ${subject}`, { kind: SpanKind.CLIENT, attributes: messagingAttributes(subject, 'publish') }, (span) =>
    endedAfter(span, () => {
      const headers = natsHeaders();
      injectTraceHeaders(headers);
      return fn(headers);
    }),
  );
}

/** Answering a core NATS request: a server span, child of the requester's span in its headers. */
export async function replySpan<T>(subject: string, headers: HeaderReader | undefined, fn: () => Promise<T>): Promise<T> {
  if (!tracing()) return fn();
  return tracer().startActiveSpan(
    `reply ${subject}`,
    { kind: SpanKind.SERVER, attributes: messagingAttributes(subject, 'process') },
    contextFromHeaders(headers),
    (span) => endedAfter(span, fn),
  );
}

/**
 * A live update at the gateway (a subscription's read and push after a change message), child of
 * the span that published the message (`traceparent` in its Redis payload): the end of a checkout's
 * trace. Without a traceparent or with tracing off, `fn` runs as it is.
 */
export async function liveUpdateSpan<T>(
  field: string,
  traceparent: string | null | undefined,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  if (!traceparent || !tracing()) return fn();
  return tracer().startActiveSpan(
    `live update ${field}`,
    { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'redis', ...attributes } },
    contextFromTraceparent(traceparent),
    (span) => endedAfter(span, fn),
  );
}

/** A span around a unit of work of the application's own (`name`: what it is, e.g. "unit of work"). */
export async function inSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  if (!tracing()) return fn();
  return tracer().startActiveSpan(name, { attributes }, (span) => endedAfter(span, fn));
}

/** Runs `fn` in the active `span`, marks a failure on it, and ends it either way. */
async function endedAfter<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** The active trace id and span id, for log lines (none outside a sampled span). */
export function currentTraceIds(): { traceId: string; spanId: string } | undefined {
  if (!tracing()) return undefined;
  const span = trace.getSpan(context.active());
  const ids = span?.spanContext();
  return ids && trace.isSpanContextValid(ids) ? { traceId: ids.traceId, spanId: ids.spanId } : undefined;
}

let flush: (() => Promise<unknown>) | undefined;
/** Set by the SDK when tracing is on. */
export function setTracingFlush(fn: () => Promise<unknown>): void {
  flush = fn;
}
/** Whether the SDK was started in this process (by the register preload). */
export const tracingStarted = (): boolean => flush !== undefined;
/** Send the spans still batched (before a process exits); nothing when tracing is off. */
export async function flushTracing(): Promise<void> {
  await flush?.();
}
