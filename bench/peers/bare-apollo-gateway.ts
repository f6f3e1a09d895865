/**
 * The bare engine for `pnpm bench storefront`: Apollo Server 5 with @apollo/gateway on a
 * supergraph file, nothing of ours but forwarding the caller's `authorization` header to the
 * subgraphs (so signed-in pages work). No limits, no rate limits, no trusted documents, no cache.
 *
 * Usage: node bench/peers/bare-apollo-gateway.ts <supergraph file> <port>
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

interface Context {
  authorization?: string;
}

const [file, port] = process.argv.slice(2);
if (!file || !port) throw new Error('usage: bare-apollo-gateway.ts <supergraph file> <port>');

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(file, 'utf8'),
  buildService: ({ url }) =>
    new RemoteGraphQLDataSource<Context>({
      url,
      willSendRequest({ request, context }) {
        if (context.authorization) request.http?.headers.set('authorization', context.authorization);
      },
    }),
});
const server = new ApolloServer<Context>({ gateway, logger: { debug() {}, info() {}, warn: console.warn, error: console.error } });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(port), host: '127.0.0.1' },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
console.log(`bare @apollo/gateway on ${url}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.stop().then(() => process.exit(0)));
