import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort, spawnLogged, waitUntilReady } from '@shop/platform/stack';
import { repoRoot } from '../scripts/schema/subgraphs.ts';

export interface ExtraProcess {
  /** Started on first use (entries that do not need it cost nothing). */
  url: () => Promise<string>;
  stop: () => Promise<void>;
}

/**
 * One more process of the dev stack (same databases, Redis and NATS as ./scripts/dev) with its own
 * settings on a free loopback port: the cache-off cart, the gateways with protections on and off,
 * the gateway that holds the benchmark's subscribers.
 */
export function extraProcess(name: string, script: string, portVar: string, env: Record<string, string>, readyPath = '/health/ready'): ExtraProcess {
  let started: Promise<{ url: string; stop: () => Promise<void> }> | undefined;
  const start = async () => {
    const port = await getFreePort();
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    const proc = spawnLogged(name, process.execPath, [join(repoRoot, script)], join(dir, 'process.log'), {
      cwd: repoRoot,
      env: { ...process.env, [portVar]: String(port), LOG_LEVEL: 'warn', ...env },
    });
    await waitUntilReady(proc, async () => {
      const res = await fetch(`http://127.0.0.1:${port}${readyPath}`);
      if (!res.ok) throw new Error(String(res.status));
    }, 30_000);
    return { url: `http://127.0.0.1:${port}/graphql`, stop: () => proc.stop() };
  };
  return {
    url: async () => (await (started ??= start())).url,
    stop: async () => (started ? (await started).stop() : undefined),
  };
}

export const gatewayProcess = (name: string, env: Record<string, string>) => extraProcess(name, 'gateway/src/index.ts', 'GATEWAY_PORT', env);
