/**
 * A subscription 13 levels deep through the supergraph (cart → line → product → category → …):
 * one past the gateway's default depth limit (12), for the tests of that limit.
 */
const DEEP_PATH = [
  'cartUpdated(cartId: "x")',
  'lines',
  'edges',
  'node',
  'product',
  'category',
  'products',
  'edges',
  'node',
  'category',
  'products',
  'edges',
  'node',
];

export const DEEP_SUBSCRIPTION = `subscription { ${DEEP_PATH.reduceRight((inner, field) => `${field} { ${inner} }`, 'id')} }`;
