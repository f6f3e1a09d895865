/**
 * `pnpm live cart <cartId> | order <orderId> [--token <jwt>] [--url ws://127.0.0.1:4000/graphql]`:
 * follows a cart or an order through the gateway's WebSocket and prints every message, for trying
 * subscriptions by hand. Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { token: { type: 'string' }, url: { type: 'string', default: 'ws://127.0.0.1:4000/graphql' } },
});
const [kind, id] = positionals;
const documents: Record<string, string> = {
  cart: 'subscription ($id: ID!) { cartUpdated(cartId: $id) { id version status totalQuantity lines(first: 20) { edges { node { quantity product { name price { amount } } } } } cost { totalAmount { amount currencyCode } } } }',
  order: 'subscription ($id: ID!) { orderUpdated(orderId: $id) { id number status updatedAt payment { status } refunds { amount { amount } } } }',
};
if (!kind || !id || !documents[kind]) {
  process.stderr.write('usage: pnpm live cart <cartId> | order <orderId> [--token <jwt>]\n');
  process.exit(1);
}
const client = createClient({
  url: values.url,
  webSocketImpl: WebSocket,
  connectionParams: values.token ? { authorization: `Bearer ${values.token}` } : {},
  retryAttempts: 0,
  on: { closed: (event) => process.stderr.write(`closed: ${(event as CloseEvent).code} ${(event as CloseEvent).reason}\n`) },
});
client.subscribe(
  { query: documents[kind]!, variables: { id } },
  {
    next: (message) => process.stdout.write(`${new Date().toISOString()} ${JSON.stringify(message)}\n`),
    error: (error) => {
      process.stderr.write(`${JSON.stringify(error)}\n`);
      process.exit(1);
    },
    complete: () => process.exit(0),
  },
);
process.on('SIGINT', () => void Promise.resolve(client.dispose()).then(() => process.exit(0)));
