import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, DEV_JWT_SECRET, commonEnvModel, envFields, parseEnv, refuseDevSecretInProduction } from './env.ts';

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

  it('refuses the dev JWT secret in production', () => {
    const guarded = refuseDevSecretInProduction(model);
    expect(() => parseEnv(guarded, { NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET })).toThrow(/JWT_SECRET/);
    expect(parseEnv(guarded, { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).NODE_ENV).toBe('production');
  });
});
