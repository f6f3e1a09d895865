import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../scripts/schema/subgraphs.ts';
import { entityFetchPlan, readCacheHints } from './hints.ts';

const supergraph = readFileSync(join(repoRoot, 'schema/supergraph.graphql'), 'utf8');
const catalog = readCacheHints(supergraph, 'catalog');
const entities = (selection: string) => `query Q__catalog__1($representations:[_Any!]!){_entities(representations:$representations){${selection}}}`;

describe('cache hints from the supergraph', () => {
  it('reads the catalog entities and their @cacheControl hints as composed', () => {
    expect([...catalog.entities].sort()).toEqual(['Category', 'Product', 'ProductVariant']);
    expect(catalog.types.get('Product')?.hint).toEqual({ maxAge: 300, scope: 'PUBLIC' });
    expect(catalog.types.get('Product')?.fields.get('availableQuantity')?.hint).toEqual({ maxAge: 60, scope: 'PUBLIC' });
    expect(catalog.types.get('Category')?.fields.get('products')?.hint).toEqual({ maxAge: 0 });
    // Another subgraph declares no hints, and resolves no catalog type by key.
    expect(readCacheHints(supergraph, 'cart').entities.has('Product')).toBe(false);
  });

  it("keeps a CartPage line's product for the type's maxAge, leaf fields and Money/Image inheriting it", () => {
    const plan = entityFetchPlan(catalog, entities('...on Product{__typename id slug name price{amount currencyCode}images{url altText}inStock}'));
    expect(Object.fromEntries(plan!.maxAge)).toEqual({ Product: 300 });
  });

  it('takes the smallest maxAge of the selection, nested entities included', () => {
    const plan = entityFetchPlan(
      catalog,
      entities(
        '...on ProductVariant{__typename title availableQuantity product{name category{name}}} ...on Category{__typename name ancestors{slug}}',
      ),
    );
    expect(Object.fromEntries(plan!.maxAge)).toEqual({ ProductVariant: 60, Category: 300 });
  });

  it('caches nothing of a type whose selection has a field without a PUBLIC hint above 0', () => {
    const plan = entityFetchPlan(catalog, entities('...on Category{__typename name products{totalCount}} ...on Product{__typename name}'));
    expect(Object.fromEntries(plan!.maxAge)).toEqual({ Product: 300 });
    const privateHints = readCacheHints(
      supergraph.replace(
        'availableQuantity: Int! @join__field(graph: CATALOG) @cacheControl(maxAge: 60, scope: PUBLIC)',
        'availableQuantity: Int! @join__field(graph: CATALOG) @cacheControl(maxAge: 60, scope: PRIVATE)',
      ),
      'catalog',
    );
    expect(entityFetchPlan(privateHints, entities('...on Product{__typename name availableQuantity}'))!.maxAge.size).toBe(0);
    expect(entityFetchPlan(privateHints, entities('...on Product{__typename name}'))!.maxAge.get('Product')).toBe(300);
  });

  it('plans only plain _entities queries', () => {
    expect(entityFetchPlan(catalog, 'query Q__catalog__0{products(first:2){totalCount}}')).toBeNull();
    expect(
      entityFetchPlan(catalog, 'mutation M__catalog__0($representations:[_Any!]!){_entities(representations:$representations){...on Product{name}}}'),
    ).toBeNull();
  });

  it('names the same selection the same way whatever the operation is called', () => {
    const a = entityFetchPlan(catalog, entities('...on Product{__typename name}'))!;
    const b = entityFetchPlan(catalog, entities('...on Product{__typename name}').replace('Q__catalog__1', 'Other__catalog__2'))!;
    const c = entityFetchPlan(catalog, entities('...on Product{__typename name slug}'))!;
    expect(a.selectionHash).toBe(b.selectionHash);
    expect(a.selectionHash).not.toBe(c.selectionHash);
  });
});
