import { gql } from './stack.ts';

/** Shop actions through a gateway, as a client makes them (for end-to-end tests). */

export { NEW_YORK } from './addresses.ts';

export interface ProductSummary {
  id: string;
  name: string;
  price: { amount: string };
}

export interface StockedProduct extends ProductSummary {
  availableQuantity: number;
}

/**
 * In-stock products sold as one variant (no options: their product id is their variant's, so the
 * deprecated `productId` and `inventoryAdjust(productId)` name what is bought), in `sort` order,
 * from `offset`; among the first 100 in stock.
 */
export async function oneVariantProducts(gatewayUrl: string, count: number, { offset = 0, sort = 'PRICE_ASC' } = {}): Promise<StockedProduct[]> {
  const res = await gql<{ products: { edges: Array<{ node: StockedProduct & { options: unknown[] } }> } }>(
    gatewayUrl,
    `{ products(first: 100, filter: { inStock: true }, sort: ${sort}) { edges { node { id name price { amount } availableQuantity options { name } } } } }`,
  );
  const found = res.body.data!.products.edges.map((e) => e.node).filter((p) => p.options.length === 0);
  if (found.length < offset + count) throw new Error(`only ${found.length} one-variant products in stock among the first 100`);
  return found.slice(offset, offset + count).map(({ options: _options, ...product }) => product);
}

/** The cheapest product in stock (sold as one variant). */
export async function cheapestProduct(gatewayUrl: string): Promise<ProductSummary> {
  return (await oneVariantProducts(gatewayUrl, 1))[0]!;
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
