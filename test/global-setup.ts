import type { TestProject } from 'vitest/node';
import { startTestServers } from '@shop/platform/testing';

/**
 * Starts real Postgres, Redis and NATS once for the integration project, on free ports in a
 * temporary directory (never the dev data), and stops them when the run ends.
 */
export default async function setup(project: TestProject) {
  const servers = await startTestServers({ databases: [] });
  project.provide('postgresUrl', servers.postgresUrl('postgres'));
  project.provide('redisUrl', servers.redisUrl);
  project.provide('natsUrl', servers.natsUrl);
  return async () => {
    await servers.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    redisUrl: string;
    natsUrl: string;
  }
}
