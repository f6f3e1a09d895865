/**
 * `pnpm bench checkout-saga`: drives real checkouts through the gateway to a final order status and
 * measures checkouts/s to CONFIRMED and the time from the checkout mutation to CONFIRMED
 * (p50/p95), counting orders lost (never created) or stuck (not final after the deadline).
 * Bounded: BENCH_CHECKOUTS checkouts (default 200), BENCH_CONNECTIONS at a time.
 */
import { signDevToken } from '@shop/platform';
import { graphql, percentile } from './client.ts';

interface SagaBenchOptions {
  gatewayUrl: string;
  checkouts: number;
  concurrency: number;
}

export async function runCheckoutSagaBench(options: SagaBenchOptions) {
  const admin = await signDevToken({ sub: 'bench-admin', roles: ['admin'] });
  const stocked = await graphql<{ products: { edges: Array<{ node: { id: string; availableQuantity: number; options: unknown[] } }> } }>(
    options.gatewayUrl,
    '{ products(first: 100, filter: { inStock: true }, sort: PRICE_ASC) { edges { node { id availableQuantity options { name } } } } }',
    {},
  );
  // Products sold as one variant: their id is what is bought (and what inventoryAdjust takes).
  const products = stocked.products.edges
    .map((e) => e.node)
    .filter((p) => p.options.length === 0)
    .slice(0, 50);
  // Enough stock that every checkout can be confirmed: the figure is the saga's speed, not rejections.
  for (const p of products) {
    await graphql(
      options.gatewayUrl,
      `
        mutation ($id: ID!, $d: Int!) {
          inventoryAdjust(productId: $id, delta: $d, reason: "bench") {
            userErrors {
              code
            }
          }
        }
      `,
      { id: p.id, d: options.checkouts },
      admin,
    );
  }

  const latencies: number[] = [];
  let lost = 0;
  let stuck = 0;
  let failed = 0;
  // Each poll of the order's status is a gateway → order read: load the figure includes.
  let statusReads = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < options.checkouts) {
      const i = next++;
      const productId = products[i % products.length]!.id;
      const cart = await graphql<{ cartCreate: { cart: { id: string } } }>(
        options.gatewayUrl,
        `
          mutation ($p: ID!) {
            cartCreate(input: { lines: [{ productId: $p }] }) {
              cart {
                id
              }
            }
          }
        `,
        { p: productId },
      );
      const t0 = performance.now();
      const result = await graphql<{ cartCheckout: { checkout: { id: string } | null } }>(
        options.gatewayUrl,
        `
          mutation ($id: ID!, $input: CheckoutInput!) {
            cartCheckout(cartId: $id, input: $input) {
              checkout {
                id
              }
            }
          }
        `,
        {
          id: cart.cartCreate.cart.id,
          input: {
            email: 'bench@example.com',
            shippingAddress: { name: 'Bench', line1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'US' },
            paymentToken: 'tok_visa',
            idempotencyKey: `bench-${cart.cartCreate.cart.id}`,
          },
        },
      );
      const orderId = result.cartCheckout.checkout?.id;
      if (!orderId) {
        failed++;
        continue;
      }
      let status: string | undefined;
      while (performance.now() - t0 < 30_000) {
        statusReads++;
        const order = await graphql<{ order: { status: string } | null }>(
          options.gatewayUrl,
          `
            query ($id: ID!) {
              order(id: $id) {
                status
              }
            }
          `,
          { id: orderId },
          admin,
        );
        status = order.order?.status;
        if (status && !['PENDING', 'AWAITING_PAYMENT'].includes(status)) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      if (status === 'CONFIRMED') latencies.push(performance.now() - t0);
      else if (!status) lost++;
      else if (['PENDING', 'AWAITING_PAYMENT'].includes(status)) stuck++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    checkouts: options.checkouts,
    confirmed: latencies.length,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    lost,
    stuck,
    failed,
    statusReadsPerCheckout: statusReads / options.checkouts,
  };
}
