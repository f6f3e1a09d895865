import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CLIENT_ADDRESS_SIGNATURE_HEADER,
  DEV_CLIENT_ADDRESS_SECRET,
  clientAddressEnvModel,
  refuseDevClientAddressSecretInProduction,
  signClientAddress,
  verifiedClientAddress,
} from './client-address.ts';
import { parseEnv } from './env.ts';
import { CLIENT_ADDRESS_HEADER } from './request-context.ts';

const secret = 'test-secret-0123456789abcdef-0123456789';

/** The two headers the gateway sets for an address. */
const signedClientAddressHeaders = (key: string, address: string) => ({
  [CLIENT_ADDRESS_HEADER]: address,
  [CLIENT_ADDRESS_SIGNATURE_HEADER]: signClientAddress(key, address),
});

describe('signed client addresses', () => {
  it('are believed with the gateway’s signature', () => {
    for (const address of ['203.0.113.10', '2001:db8::1', 'unknown']) {
      expect(verifiedClientAddress(secret, signedClientAddressHeaders(secret, address))).toBe(address);
    }
  });

  it('count as `unknown` when unsigned, signed with another secret, altered, repeated or oversized', () => {
    const signed = signedClientAddressHeaders(secret, '203.0.113.10');
    const signature = signed[CLIENT_ADDRESS_SIGNATURE_HEADER]!;
    const cases: Array<Record<string, string | string[] | undefined>> = [
      {},
      { [CLIENT_ADDRESS_HEADER]: '203.0.113.10' },
      signedClientAddressHeaders(`${secret}!`, '203.0.113.10'),
      { ...signed, [CLIENT_ADDRESS_HEADER]: '203.0.113.11' },
      { ...signed, [CLIENT_ADDRESS_SIGNATURE_HEADER]: signature.slice(0, -1) },
      { ...signed, [CLIENT_ADDRESS_SIGNATURE_HEADER]: `${signature}AA` },
      { ...signed, [CLIENT_ADDRESS_SIGNATURE_HEADER]: 'x'.repeat(10_000) },
      { ...signed, [CLIENT_ADDRESS_HEADER]: ['203.0.113.10', '203.0.113.10'] },
      signedClientAddressHeaders(secret, '1'.repeat(65)),
    ];
    for (const headers of cases) expect(verifiedClientAddress(secret, headers)).toBe('unknown');
  });

  it('have a dev secret that production refuses', () => {
    const model = z
      .object({ NODE_ENV: z.string().default('development'), ...clientAddressEnvModel })
      .superRefine(refuseDevClientAddressSecretInProduction);
    expect(parseEnv(model, {}).CLIENT_ADDRESS_SECRET).toBe(DEV_CLIENT_ADDRESS_SECRET);
    expect(() => parseEnv(model, { NODE_ENV: 'production' })).toThrow(/CLIENT_ADDRESS_SECRET/);
    expect(parseEnv(model, { NODE_ENV: 'production', CLIENT_ADDRESS_SECRET: secret }).CLIENT_ADDRESS_SECRET).toBe(secret);
    expect(() => parseEnv(model, { CLIENT_ADDRESS_SECRET: 'short' })).toThrow(/CLIENT_ADDRESS_SECRET/);
  });
});
