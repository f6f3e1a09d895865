import { describe, expect, it } from 'vitest';
import { composeProblems, dockerfileProblems, readCompose, type ComposeFile } from './compose-check.ts';
import { healthcheckTool, nodeScripts, variablesToSet } from './deploy-env.ts';
import { model as catalogModel } from '../../subgraphs/catalog/src/config.ts';

// A deep copy to break on purpose: every case below must be reported on the real file's shape.
const mutated = (change: (compose: ComposeFile) => void): ComposeFile => {
  const copy = structuredClone(readCompose());
  change(copy);
  return copy;
};

describe('docker-compose.yml', () => {
  it('is consistent with the code: commands, healthchecks, environment, ports and URLs', async () => {
    expect(await composeProblems(readCompose())).toEqual([]);
  });

  it('builds from a Dockerfile that copies every workspace package before installing', () => {
    expect(dockerfileProblems()).toEqual([]);
  });

  it('starts every subgraph and the gateway', () => {
    const entries = Object.values(readCompose().services).flatMap((s) => nodeScripts(s.command));
    for (const name of ['catalog', 'cart', 'order', 'payment', 'account']) {
      expect(entries).toContain(`subgraphs/${name}/src/migrate.ts`);
      expect(entries).toContain(`subgraphs/${name}/src/index.ts`);
    }
    expect(entries).toContain('gateway/src/index.ts');
  });

  it('reports the scratch nats image, whose healthcheck calls a wget it does not have', async () => {
    const problems = await composeProblems(mutated((c) => (c.services.nats!.image = 'nats:2.10')));
    expect(problems).toContainEqual(expect.stringMatching(/^nats: healthcheck calls wget, which image nats:2.10 does not have/));
  });

  it('reports a variable the config model needs that a service does not set', async () => {
    const problems = await composeProblems(mutated((c) => delete (c.services.catalog!.environment as Record<string, string>).CATALOG_DATABASE_URL));
    expect(problems).toContainEqual(expect.stringMatching(/^catalog: .*CATALOG_DATABASE_URL is not set/));
  });

  it('reports a value the config model refuses', async () => {
    const problems = await composeProblems(mutated((c) => ((c.services.cart!.environment as Record<string, string>).STORE_CURRENCY = 'BTC')));
    expect(problems).toContainEqual(expect.stringMatching(/^cart: .*STORE_CURRENCY/));
  });

  it('reports a URL whose port is not the one its service listens on', async () => {
    const problems = await composeProblems(
      mutated((c) => ((c.services.gateway!.environment as Record<string, string>).CART_URL = 'http://cart:4001/graphql')),
    );
    expect(problems).toContainEqual('gateway: CART_URL=http://cart:4001/graphql: cart listens on 4002, not 4001');
  });

  it('reports a healthcheck on another port than the service listens on', async () => {
    const problems = await composeProblems(mutated((c) => ((c.services.order!.environment as Record<string, string>).ORDER_PORT = '4300')));
    expect(problems).toContainEqual('order: healthcheck probes port 4003, the service listens on 4300');
  });

  it('reports a command that runs a script that does not exist', async () => {
    const problems = await composeProblems(mutated((c) => (c.services.gateway!.command = ['node', 'gateway/src/main.ts'])));
    expect(problems).toContainEqual('gateway: runs gateway/src/main.ts, which does not exist');
  });
});

describe('deploy-env helpers', () => {
  it('derives the variables a container must set from the model (loopback defaults, production demands)', () => {
    const needed = variablesToSet(catalogModel);
    expect([...needed.keys()].sort()).toEqual(['CATALOG_DATABASE_URL', 'HOST', 'JWT_JWKS_URL', 'NATS_URL', 'REDIS_URL']);
  });

  it('reads the tool a healthcheck calls in each compose form', () => {
    expect(healthcheckTool(['CMD', 'wget', '-qO-', 'http://x'])).toBe('wget');
    expect(healthcheckTool(['CMD-SHELL', 'pg_isready -U shop'])).toBe('pg_isready');
    expect(healthcheckTool('redis-cli ping')).toBe('redis-cli');
  });
});
