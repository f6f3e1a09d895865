import { startExtraProcess } from '../scripts/lib/supergraph-processes.ts';

export interface ExtraProcess {
  /** Started on first use (entries that do not need it cost nothing). */
  url: () => Promise<string>;
  stop: () => Promise<void>;
}

/**
 * One more process of the dev stack (same databases, Redis and NATS as ./scripts/dev) with its own
 * settings, started when an entry first needs it: the cache-off cart, the gateways with protections
 * on and off, the gateway that holds the benchmark's subscribers.
 */
export function extraProcess(name: string, script: string, portVar: string, env: Record<string, string>, readyPath = '/health/ready'): ExtraProcess {
  let started: ReturnType<typeof startExtraProcess> | undefined;
  return {
    url: async () => (await (started ??= startExtraProcess({ name, script, portVar, env: { LOG_LEVEL: 'warn', ...env }, readyPath }))).url,
    stop: async () => (started ? (await started).stop() : undefined),
  };
}

export const gatewayProcess = (name: string, env: Record<string, string>) => extraProcess(name, 'gateway/src/index.ts', 'GATEWAY_PORT', env);
