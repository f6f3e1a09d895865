import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, commonEnvModel, envFields, parseEnv, refuseDevSecretInProduction } from './env.ts';

const model = z.object({ ...commonEnvModel, PORT: envFields.port(4000), DATABASE_URL: envFields.url('postgres://x@127.0.0.1/db') });

describe('parseEnv', () => {
  it('applies defaults when nothing is set', () => {
    const env = parseEnv(model, {});
    expect(env.PORT).toBe(4000);
    expect(env.NODE_ENV).toBe('development');
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('reports every bad variable at once, naming each and what it got', () => {
    let error: unknown;
    try {
      parseEnv(model, { PORT: 'eighty', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/PORT: .*got "eighty"/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL: .*got "not a url"/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL: .*got "loud"/);
  });

  it('refuses production without an explicit JWKS URL (the dev default is the local account subgraph)', () => {
    const guarded = refuseDevSecretInProduction(model);
    expect(() => parseEnv(guarded, { NODE_ENV: 'production' })).toThrow(/JWT_JWKS_URL/);
    expect(parseEnv(guarded, { NODE_ENV: 'production', JWT_JWKS_URL: 'https://accounts.internal/.well-known/jwks.json' }).NODE_ENV).toBe(
      'production',
    );
    expect(parseEnv(guarded, {}).JWT_JWKS_URL).toBeUndefined();
  });
});
