import { describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, CUSTOMER } from './catalog-harness.ts';
import { ProductSchema } from '../src/data/product.entity.ts';
import { errorCode, expectedIds, follow, fx, IN_SUBTREE, pageAll, RESERVED_ID, useProductsFixture } from './products-fixture.ts';

useProductsFixture();

describe('Category.products', () => {
  const CATEGORY = `query ($slug: String!, $first: Int, $after: String) {
    category(slug: $slug) { products(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }
  }`;

  it('pages through one category and its subcategories in name order', async () => {
    const { ids, total } = await follow(async (after) => {
      const { data, errors } = await fx.run(CATEGORY, GUEST, { slug: 'computers', first: 7, after });
      expect(errors).toBeUndefined();
      return data.category.products;
    });
    expect(ids).toEqual(await expectedIds(IN_SUBTREE, 'name, id', [fx.computers.id]));
    expect(total).toBe(ids.length);
  });

  it("stores the seed's tree: 5 departments, 10 categories, 54 subcategories, each path its parent's and its id", async () => {
    const { data } = await fx.run('{ category(slug: "mice") { ancestors { slug } children { slug } } }', GUEST);
    expect(data.category).toEqual({ ancestors: [{ slug: 'electronics' }, { slug: 'computers' }], children: [] });
    const depths = await fx.orm.em.fork().execute<Array<{ depth: number; n: number; consistent: boolean }>>(
      `select array_length(string_to_array(trim('/' from c.path), '/'), 1) as depth, count(*)::int as n,
         bool_and(c.path = coalesce(parent.path, '/') || c.id || '/') as consistent
       from category c left join category parent on parent.id = c.parent_id group by 1 order by 1`,
    );
    expect(depths).toEqual([1, 2, 3].map((depth, i) => ({ depth, n: [5, 10, 54][i], consistent: true })));
  });
});

describe('Query.lowStockProducts', () => {
  const LOW = `query ($threshold: Int, $first: Int, $after: String) {
    lowStockProducts(threshold: $threshold, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id availableQuantity } }
    }
  }`;

  it('lists, for an admin, products below the threshold, fewest available first, across pages', async () => {
    const { ids, total, nodes } = await follow(async (after) => {
      const { data, errors } = await fx.run(LOW, ADMIN, { first: 3, after });
      expect(errors).toBeUndefined();
      return data.lowStockProducts;
    });
    // One edge per low variant, showing its product (the seed sells some products in several variants).
    const low = await fx.orm.em
      .fork()
      .execute<Array<{ productId: string }>>(
        'select product_id as "productId" from product_variant where deleted_at is null and on_hand - reserved < 5 order by on_hand - reserved, id',
      );
    expect(ids).toEqual(low.map((r) => r.productId));
    expect(nodes.filter((n) => n.id === RESERVED_ID).map((n) => n.availableQuantity)).toEqual([0]);
    expect(ids).toContain(RESERVED_ID);
    expect(total).toBe(ids.length);
    expect(total).toBeGreaterThan(3);
  });

  it('takes a threshold between 1 and 100000', async () => {
    const { data } = await fx.run(LOW, ADMIN, { threshold: 100_000, first: 1 });
    const [live] = await fx.orm.em.fork().execute<Array<{ n: number }>>('select count(*)::int as n from product_variant where deleted_at is null');
    expect(data.lowStockProducts.totalCount).toBe(live!.n);
    for (const threshold of [0, -5, 100_001]) {
      expect(await errorCode(LOW, { threshold }, ADMIN)).toMatchObject({ code: 'BAD_USER_INPUT', field: ['threshold'] });
    }
  });

  it('is FORBIDDEN to a customer and UNAUTHENTICATED for a guest', async () => {
    expect((await errorCode(LOW, {}, CUSTOMER)).code).toBe('FORBIDDEN');
    expect((await errorCode(LOW, {}, GUEST)).code).toBe('UNAUTHENTICATED');
  });
});

describe('search vector', () => {
  it('is kept by Postgres for rows the ORM inserts (the entity does not map it)', async () => {
    const em = fx.orm.em.fork();
    em.create(ProductSchema, {
      id: '00000000-0000-4000-8000-00000000f0b1',
      sku: 'T-ORM',
      slug: 't-orm',
      name: 'Vertical Wireless Trackball',
      description: 'Thumb-operated.',
      priceAmount: 5900,
      currency: 'USD',
      images: [],
      category: null,
      options: [],
      deletedAt: null,
    });
    await em.flush();
    const { nodes } = await pageAll({ filter: { search: 'trackball thumb' } });
    expect(nodes.map((n) => n.name)).toEqual(['Vertical Wireless Trackball']);
    await fx.orm.em.fork().execute("delete from product where sku = 'T-ORM'");
  });
});
