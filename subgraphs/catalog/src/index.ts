import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  connectOrm,
  connectNats,
  createLogger,
  createRedis,
  createTokenVerifier,
  exitOnSignals,
  natsReady,
  protectSchema,
  redisReady,
  startService,
} from '@shop/platform';
import type { GraphQLResolverMap } from '@apollo/subgraph';
import { loadConfig } from './config.ts';
import { catalogOrmOptions } from './data/orm.config.ts';
import { resolvers } from './resolvers/index.ts';
import { permissions } from './resolvers/permissions.ts';
import { createContext, type Context } from './context.ts';

const config = loadConfig();
const log = createLogger('catalog', config.LOG_LEVEL);
const typeDefs = parse(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

const orm = await connectOrm(catalogOrmOptions(config.CATALOG_DATABASE_URL), log);
const nc = await connectNats(config.NATS_URL, 'catalog', log);
const redis = createRedis(config.REDIS_URL, log, 'catalog');
const verify = createTokenVerifier(config);

const schema = protectSchema(buildSubgraphSchema([{ typeDefs, resolvers: resolvers as GraphQLResolverMap<Context> }]), permissions);

const service = await startService<Context>({
  name: 'catalog',
  host: config.HOST,
  port: config.CATALOG_PORT,
  portEnvVar: 'CATALOG_PORT',
  graph: { schema },
  production: config.NODE_ENV === 'production',
  log,
  buildContext: async ({ req }) => createContext(orm.em, await verify(req.headers.authorization), log, config.STORE_CURRENCY),
  readiness: {
    postgres: async () => {
      if (!(await orm.isConnected())) throw new Error('not connected');
    },
    redis: () => redisReady(redis),
    nats: () => natsReady(nc),
  },
  closers: [() => nc.drain(), () => redis.quit(), () => orm.close()],
});
exitOnSignals(service.stop, log);
