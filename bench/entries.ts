/** Benchmark entries: one GraphQL request each, as a client sends it. Later issues add theirs here. */
export interface BenchEntry {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  headers: (customerToken: string) => Record<string, string>;
}

const json = { 'content-type': 'application/json' };
const asCustomer = (token: string) => ({ ...json, authorization: `Bearer ${token}` });

export const entries: BenchEntry[] = [
  { name: 'typename', query: '{ __typename }', headers: () => json },
  {
    name: 'product-list',
    query: '{ products(first: 20) { totalCount edges { cursor node { id name slug price { amount currencyCode } inStock category { name } } } } }',
    headers: () => json,
  },
  {
    name: 'account-3-subgraphs',
    query: '{ me { id cart { id totalQuantity } orders(first: 10) { totalCount edges { node { number status payment { status } } } } } }',
    headers: asCustomer,
  },
];
