import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, commonEnvModel, parseEnv } from '../env.ts';
import { STREAMS, streamDeclarations } from './streams.ts';
import { CATALOG_STOCK_RESERVE } from './stock-reserve.client.ts';
import { PAYMENT_CAPTURE_REQUEST } from './payment-capture.client.ts';

/** Whether a stream subject (`a.b.>`, `a.*`) matches a concrete subject. */
const matches = (pattern: string, subject: string) => {
  const [p, s] = [pattern.split('.'), subject.split('.')];
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
};

describe('streamDeclarations', () => {
  it('declares every stream with the replica count it is given', () => {
    const declared = streamDeclarations(3);
    expect(declared.map((s) => s.name)).toEqual(STREAMS.map((s) => s.name));
    expect(declared.map((s) => s.subjects)).toEqual(STREAMS.map((s) => s.subjects));
    expect(declared.every((s) => s.num_replicas === 3)).toBe(true);
  });

  it('keeps each stream on one server by default', () => {
    expect(streamDeclarations().every((s) => s.num_replicas === 1)).toBe(true);
  });

  it.each([CATALOG_STOCK_RESERVE, PAYMENT_CAPTURE_REQUEST])(
    'keeps the request subject %s out of every stream (it would be stored and acked by JetStream)',
    (subject) => {
      expect(STREAMS.flatMap((s) => s.subjects).filter((pattern) => matches(pattern, subject))).toEqual([]);
      // The check itself: the events' subjects are in their streams.
      expect(matches('payment.>', 'payment.captured')).toBe(true);
    },
  );

  it.each([0, 6, 1.5, Number.NaN])('refuses %s replicas (JetStream allows 1 to 5)', (replicas) => {
    expect(() => streamDeclarations(replicas)).toThrow(RangeError);
  });
});

describe('NATS_STREAM_REPLICAS', () => {
  const model = z.object(commonEnvModel);

  it('is 1 when unset and the number given otherwise', () => {
    expect(parseEnv(model, {}).NATS_STREAM_REPLICAS).toBe(1);
    expect(parseEnv(model, { NATS_STREAM_REPLICAS: '3' }).NATS_STREAM_REPLICAS).toBe(3);
  });

  it.each(['0', '6', 'three', '2.5'])('refuses %s', (value) => {
    expect(() => parseEnv(model, { NATS_STREAM_REPLICAS: value })).toThrow(ConfigError);
  });
});
