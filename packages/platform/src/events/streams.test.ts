import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, commonEnvModel, parseEnv } from '../env.ts';
import { STREAMS, streamDeclarations } from './streams.ts';

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
