import { buildSchema, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { formatSideBySide, median, pruneToSchema, rotate, shapeMismatch, shapeOf, withRoutingUrls } from './bench-side-by-side.ts';

describe('withRoutingUrls', () => {
  const sdl = `enum join__Graph {
  CART @join__graph(name: "cart", url: "http://127.0.0.1:4002/graphql")
  CATALOG @join__graph(name: "catalog", url: "http://127.0.0.1:4001/graphql")
}`;

  it('replaces the routing URL of the named subgraphs and keeps the others', () => {
    const out = withRoutingUrls(sdl, { catalog: 'http://127.0.0.1:34001/graphql', cart: undefined });
    expect(out).toContain('CATALOG @join__graph(name: "catalog", url: "http://127.0.0.1:34001/graphql")');
    expect(out).toContain('CART @join__graph(name: "cart", url: "http://127.0.0.1:4002/graphql")');
  });
});

describe('pruneToSchema', () => {
  // What a cart subgraph has: its own fields, and only the keys of the catalog's entities.
  const cartSchema = buildSchema(`
    type Query { cart(id: ID!): Cart }
    type Cart { id: ID! lines: [CartLine!]! }
    type CartLine { id: ID! quantity: Int! product: Product! merchandise: Variant! }
    type Product { id: ID! }
    type Variant { id: ID! }
  `);

  it("leaves out another subgraph's fields, keeping the keys, inside fragments too", () => {
    const document = parse(`query CartPage($id: ID!) { cart(id: $id) { ...F } }
      fragment F on Cart { id lines { id quantity product { id name price { amount } } merchandise { sku } } }`);
    const { document: pruned, removed } = pruneToSchema(document, cartSchema);
    expect(print(pruned).replace(/\s+/g, ' ')).toBe(
      'query CartPage($id: ID!) { cart(id: $id) { ...F } } fragment F on Cart { id lines { id quantity product { id } } }',
    );
    expect(removed).toEqual(['Product.name', 'Product.price', 'Variant.sku']);
  });

  it('leaves a document the subgraph answers whole as it is', () => {
    const document = parse('query ($id: ID!) { cart(id: $id) { id lines { quantity } } }');
    const { document: pruned, removed } = pruneToSchema(document, cartSchema);
    expect(removed).toEqual([]);
    expect(print(pruned)).toBe(print(document));
  });

  it('refuses when nothing of the query would be left', () => {
    expect(() => pruneToSchema(parse('{ products { id } }'), cartSchema)).toThrow(/not valid/);
  });
});

describe('shapeOf and shapeMismatch', () => {
  const page = {
    cart: {
      id: 'c',
      lines: [
        { id: 'l1', product: { id: 'p', name: 'A' } },
        { id: 'l2', product: { id: 'q', name: 'B' } },
      ],
    },
  };

  it('ignores values but not paths, nulls or list lengths', () => {
    expect(shapeOf({ a: [{ b: 1 }, { b: 2 }], c: null })).toEqual(['a[2]', 'a[].b', 'a[].b', 'c=null']);
    const otherValues = {
      cart: {
        id: 'd',
        lines: [
          { id: 'x', product: { id: 'y', name: 'C' } },
          { id: 'z', product: { id: 'w', name: 'D' } },
        ],
      },
    };
    expect(shapeMismatch(page, otherValues)).toBeUndefined();
  });

  it('names what differs: a missing field, a shorter list, a null', () => {
    const oneLine = { cart: { id: 'c', lines: [{ id: 'l1', product: { id: 'p', name: 'A' } }] } };
    expect(shapeMismatch(page, oneLine)).toBe('missing cart.lines[2]; unexpected cart.lines[1]');
    expect(shapeMismatch(page, { cart: null })).toMatch(/^missing cart\.id, .*; unexpected cart=null$/);
  });

  it('accepts the answer to a reduced document as a subset only', () => {
    const keysOnly = {
      cart: {
        id: 'c',
        lines: [
          { id: 'l1', product: { id: 'p' } },
          { id: 'l2', product: { id: 'q' } },
        ],
      },
    };
    expect(shapeMismatch(page, keysOnly, true)).toBeUndefined();
    expect(shapeMismatch(page, keysOnly)).toBe('missing cart.lines[].product.name');
    expect(shapeMismatch(page, { cart: { ...keysOnly.cart, extra: 1 } }, true)).toBe('unexpected cart.extra');
  });
});

describe('median and rotate', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([10, 2])).toBe(6);
    expect(median([])).toBeNaN();
  });

  it('starts each round one target later', () => {
    expect([0, 1, 2, 3].map((r) => rotate(['a', 'b', 'c'], r).join(''))).toEqual(['abc', 'bca', 'cab', 'abc']);
  });
});

describe('formatSideBySide', () => {
  it('prints the median req/s with its range, the median p50 and our ratio to each other target', () => {
    const table = formatSideBySide([
      {
        page: 'CartPage',
        cells: {
          subgraph: {
            label: 'cart, cart fields only',
            rounds: [
              { rps: 1200, p50: 8 },
              { rps: 1000, p50: 10 },
            ],
          },
          ours: {
            rounds: [
              { rps: 300, p50: 60 },
              { rps: 250, p50: 70 },
            ],
          },
          bare: {
            rounds: [
              { rps: 220, p50: 80 },
              { rps: 240, p50: 90 },
            ],
          },
          hive: { refused: '3 of 900 answers were errors' },
        },
      },
      { page: 'MyAccount', cells: { ours: { rounds: [{ rps: 1500, p50: 12 }] }, hive: { rounds: [{ rps: 1000, p50: 20 }] } } },
    ]);
    const [head, rule, cart, account] = table.split('\n');
    expect(head).toBe(
      '| page | subgraph alone | our gateway (protections on) | bare @apollo/gateway | Hive Gateway | ours ÷ Hive | ours ÷ bare engine | ours ÷ subgraph |',
    );
    expect(rule).toBe('|---|---|---|---|---|---|---|---|');
    // Medians: ours 275, bare 230, subgraph 1,100; the refused target gets no ratio.
    expect(cart).toBe(
      '| CartPage | cart, cart fields only: 1,100 (1,000–1,200), p50 9 ms | 275 (250–300), p50 65 ms | 230 (220–240), p50 85 ms | ' +
        'not reported (3 of 900 answers were errors) | — | 1.20× | 0.25× |',
    );
    expect(account).toBe('| MyAccount | — | 1,500, p50 12 ms | — | 1,000, p50 20 ms | 1.50× | — | — |');
  });
});
