import { z } from 'zod';

/** Thrown when the environment does not satisfy a service's model; lists every problem at once. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parse `source` (default: process.env) against a zod object model. All issues are collected
 * and reported together so an operator fixes the whole config in one go.
 * This module is the only place that reads process.env.
 */
export function parseEnv<T extends z.ZodType>(model: T, source: Record<string, string | undefined> = process.env): Readonly<z.infer<T>> {
  const result = model.safeParse(source);
  if (result.success) return Object.freeze(result.data);
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(root)';
    const value = source[key];
    const shown = value === undefined ? 'not set' : `got "${value}"`;
    return `${key}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(problems);
}

/** Like parseEnv, but prints the problems to stderr and exits 1: for process start-up. */
export function loadEnv<T extends z.ZodType>(model: T, source: Record<string, string | undefined> = process.env): Readonly<z.infer<T>> {
  try {
    return parseEnv(model, source);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Reusable field models. */
export const envFields = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: (fallback: string) => z.string().url().default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  nodeEnv: () => z.enum(['development', 'test', 'production']).default('development'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** Identity settings every process shares (the gateway verifies, subgraphs verify again). */
export const jwtEnvModel = {
  JWT_ISSUER: z.string().min(1).default('shop-dev'),
  JWT_AUDIENCE: z.string().min(1).default('shop-api'),
  /** The account subgraph's public keys. Unset: the dev stack's (DEV DEFAULT ONLY; production must set it, enforced below). */
  JWT_JWKS_URL: z.string().url().optional(),
};

export const commonEnvModel = {
  NODE_ENV: envFields.nodeEnv(),
  LOG_LEVEL: envFields.logLevel(),
  HOST: z.string().default('127.0.0.1'),
  REDIS_URL: envFields.url('redis://127.0.0.1:6379'),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  /** Servers each JetStream stream is kept on: 1 for one server, 3 on a 3-node cluster (at most its size; JetStream allows 1-5). */
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** The one store currency (amounts are integer minor units of it). */
  STORE_CURRENCY: z.enum(['USD', 'EUR', 'GBP', 'JPY']).default('USD'),
  ...jwtEnvModel,
};

/**
 * A superRefine check: production refuses every published dev default in `devValues` (field → its
 * dev value), naming the field to set. The dev values are in this repository: a secret among them
 * lets anyone sign or decrypt, a URL sends mail or links to a developer's machine.
 */
export function refuseDevDefaultsInProduction(devValues: Readonly<Record<string, unknown>>) {
  return (parsed: unknown, ctx: z.RefinementCtx): void => {
    const env = parsed as Record<string, unknown>;
    if (env.NODE_ENV !== 'production') return;
    for (const [key, devValue] of Object.entries(devValues)) {
      if (env[key] === devValue) ctx.addIssue({ code: 'custom', path: [key], message: `the dev default cannot be used in production; set ${key}` });
    }
  };
}

/** Refuse to run in production on dev identity settings: the JWKS URL must be set explicitly. */
export function refuseDevSecretInProduction<T extends z.ZodObject>(model: T) {
  return model.superRefine((env: Record<string, unknown>, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_JWKS_URL) {
      ctx.addIssue({ code: 'custom', path: ['JWT_JWKS_URL'], message: 'production verifies tokens through the account subgraph: set JWT_JWKS_URL' });
    }
  });
}
