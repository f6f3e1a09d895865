import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createLogger } from '../logger.ts';
import {
  consumeSpan,
  contextFromHeaders,
  contextFromTraceparent,
  currentTraceIds,
  currentTraceparent,
  injectTraceHeaders,
  publishSpan,
  replySpan,
  requestSpan,
  setTracingFlush,
} from './context.ts';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

// First, as in a process without an OTLP endpoint: nothing registered, nothing recorded.
describe('tracing off', () => {
  it('stores no trace context and runs handlers as they are', async () => {
    expect(currentTraceparent()).toBeNull();
    expect(currentTraceIds()).toBeUndefined();
    const h = natsHeaders();
    expect(publishSpan('order.stock.reserve', null, 'e1', (traced) => traced)).toBeUndefined();
    expect(await consumeSpan('order.stock.reserve', 'd', h, async () => 'handled')).toBe('handled');
    expect(await requestSpan('catalog.stock.reserve', async (headers) => headers)).toBeUndefined();
    expect(await replySpan('catalog.stock.reserve', h, async () => 'answered')).toBe('answered');
  });
});

describe('tracing on', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = () => trace.getTracer('test');
  beforeAll(() => {
    provider.register();
    setTracingFlush(() => provider.forceFlush());
  });
  afterAll(() => provider.shutdown());

  it('an outbox row gets the traceparent of the span that writes it; none outside a span', () => {
    expect(currentTraceparent()).toBeNull();
    tracer().startActiveSpan('request', (span) => {
      const [, traceId, spanId] = TRACEPARENT.exec(currentTraceparent()!)!;
      expect([traceId, spanId]).toEqual([span.spanContext().traceId, span.spanContext().spanId]);
      span.end();
    });
  });

  it('message headers carry the context: injected into NATS headers, extracted as the remote parent', () => {
    const span = tracer().startSpan('producer');
    const h = natsHeaders();
    injectTraceHeaders(h, trace.setSpan(context.active(), span));
    expect(h.get('traceparent')).toMatch(TRACEPARENT);
    const parent = trace.getSpanContext(contextFromHeaders(h))!;
    expect(parent).toMatchObject({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, isRemote: true });
    span.end();
  });

  it('missing or malformed context starts a new trace', () => {
    expect(trace.getSpanContext(contextFromHeaders(natsHeaders()))).toBeUndefined();
    expect(trace.getSpanContext(contextFromTraceparent('00-not-a-trace-01'))).toBeUndefined();
    expect(trace.getSpanContext(contextFromTraceparent(null))).toBeUndefined();
  });

  it('one hop: stored traceparent → producer span (its context in the headers) → consumer span, its child, in the same trace', async () => {
    exporter.reset();
    const request = tracer().startSpan('cartCheckout');
    const stored = currentTraceparent(trace.setSpan(context.active(), request));
    request.end();
    const h = natsHeaders();
    await publishSpan('checkout.requested', stored, 'event-1', async (traced) => {
      injectTraceHeaders(h, traced!);
    });
    const handled = await consumeSpan('checkout.requested', 'order-checkouts', h, async () => trace.getActiveSpan()!.spanContext());

    const [producer] = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.PRODUCER);
    const [consumer] = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CONSUMER);
    expect(producer).toMatchObject({ name: 'publish checkout.requested', parentSpanContext: { spanId: request.spanContext().spanId } });
    expect(producer!.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.message.id': 'event-1' });
    expect(consumer).toMatchObject({ name: 'process checkout.requested', parentSpanContext: { spanId: producer!.spanContext().spanId } });
    expect(consumer!.spanContext().traceId).toBe(request.spanContext().traceId);
    // The handler ran inside the consumer span (its statements and events become its children).
    expect(handled.spanId).toBe(consumer!.spanContext().spanId);
  });

  it('a request: client span (child of the active span) whose context travels in the headers → server span, its child', async () => {
    exporter.reset();
    const handler = tracer().startSpan('process checkout.requested');
    const served = await context.with(trace.setSpan(context.active(), handler), () =>
      requestSpan('catalog.stock.reserve', (h) => replySpan('catalog.stock.reserve', h, async () => trace.getActiveSpan()!.spanContext())),
    );
    handler.end();
    const [client] = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
    const [server] = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
    expect(client).toMatchObject({ name: 'request catalog.stock.reserve', parentSpanContext: { spanId: handler.spanContext().spanId } });
    expect(server).toMatchObject({ name: 'reply catalog.stock.reserve', parentSpanContext: { spanId: client!.spanContext().spanId } });
    expect(served).toMatchObject({ traceId: handler.spanContext().traceId, spanId: server!.spanContext().spanId });
  });

  it('a failing handler marks its consumer span and still throws', async () => {
    exporter.reset();
    await expect(consumeSpan('payment.captured', 'd', natsHeaders(), () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const [span] = exporter.getFinishedSpans();
    expect(span!.status).toMatchObject({ code: 2, message: 'boom' });
  });

  it('log lines inside a span name its trace and span', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => void (lines.push(String(chunk)), done()) });
    const log = createLogger('test', 'info', sink);
    tracer().startActiveSpan('request', (span) => {
      log.info('inside');
      span.end();
      expect(JSON.parse(lines[0]!)).toMatchObject({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
    });
    log.info('outside');
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('traceId');
  });
});
