import { gql } from './stack.ts';

/** Shop actions through a gateway, as a client makes them (for end-to-end tests). */

export interface ProductSummary {
  id: string;
  name: string;
  price: { amount: string };
}

/** The cheapest product in stock. */
export async function cheapestProduct(gatewayUrl: string): Promise<ProductSummary> {
  const res = await gql<{ products: { edges: Array<{ node: ProductSummary }> } }>(
    gatewayUrl,
    '{ products(first: 1, filter: { inStock: true }, sort: PRICE_ASC) { edges { node { id name price { amount } } } } }',
  );
  return res.body.data!.products.edges[0]!.node;
}

/** A new, empty guest cart's id. */
export async function guestCart(gatewayUrl: string): Promise<string> {
  const res = await gql<{ cartCreate: { cart: { id: string } } }>(gatewayUrl, 'mutation { cartCreate(input: {}) { cart { id } } }');
  return res.body.data!.cartCreate.cart.id;
}

/** Adds one unit; answers the cart's new version (throws on a userError). */
export async function addLine(gatewayUrl: string, cartId: string, productId: string, token?: string): Promise<number> {
  const res = await gql<{ cartLinesAdd: { cart: { version: number }; userErrors: unknown[] } }>(
    gatewayUrl,
    'mutation ($c: ID!, $p: ID!) { cartLinesAdd(cartId: $c, lines: [{ productId: $p, quantity: 1 }]) { cart { version } userErrors { code } } }',
    { variables: { c: cartId, p: productId }, ...(token ? { token } : {}) },
  );
  const errors = res.body.data?.cartLinesAdd.userErrors;
  if (!errors || errors.length > 0) throw new Error(`cartLinesAdd failed: ${JSON.stringify(res.body)}`);
  return res.body.data!.cartLinesAdd.cart.version;
}

/** One value from a process's /metrics (the first series of that name). */
export async function metric(graphqlUrl: string, name: string): Promise<number> {
  const text = await (await fetch(graphqlUrl.replace('/graphql', '/metrics'))).text();
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
}
