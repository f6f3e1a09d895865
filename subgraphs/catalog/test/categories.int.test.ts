import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST } from '@shop/platform';
import { ADMIN, CUSTOMER, insertProducts, startCatalogHarness, type CatalogHarness } from './catalog-harness.ts';

let h: CatalogHarness;
const ids: Record<string, string> = {};

const CREATE = `mutation ($input: CategoryCreateInput!) { categoryCreate(input: $input) { category { id slug } userErrors { field code } } }`;
const UPDATE = `mutation ($id: ID!, $input: CategoryUpdateInput!) { categoryUpdate(id: $id, input: $input) { category { id slug name } userErrors { field code } } }`;
const DELETE = `mutation ($id: ID!) { categoryDelete(id: $id) { deletedCategoryId userErrors { field code } } }`;
const TREE = `query ($slug: String!) { category(slug: $slug) { name parent { slug } children { slug } ancestors { slug } products(first: 50) { totalCount edges { node { id } } } } }`;

async function create(name: string, parent?: string): Promise<string> {
  const res = await h.run(CREATE, ADMIN, { input: { name, parentId: parent ? ids[parent] : null } });
  expect(res.data.categoryCreate.userErrors).toEqual([]);
  return (ids[res.data.categoryCreate.category.slug] = res.data.categoryCreate.category.id);
}
const tree = async (slug: string) => (await h.run(TREE, GUEST, { slug })).data.category;

beforeAll(async () => {
  h = await startCatalogHarness();
  await create('Apparel');
  await create('Men', 'apparel');
  await create('Shirts', 'men');
  await create('Home');
  await insertProducts(h.orm, [
    { id: (ids.oxford = randomUUID()), sku: 'CAT-OXFORD', name: 'Oxford Shirt', price: 4900, categoryId: ids.shirts },
    { id: (ids.belt = randomUUID()), sku: 'CAT-BELT', name: 'Belt', price: 2500, categoryId: ids.men },
  ]);
});
afterAll(async () => h?.orm.close());

describe('the category tree', () => {
  it('answers parent, children and ancestors (breadcrumbs, top first)', async () => {
    expect(await tree('shirts')).toMatchObject({ parent: { slug: 'men' }, children: [], ancestors: [{ slug: 'apparel' }, { slug: 'men' }] });
    expect(await tree('apparel')).toMatchObject({ parent: null, children: [{ slug: 'men' }], ancestors: [] });
  });

  it("lists a category's products with those of every category below it, in the listing filter too", async () => {
    const apparel = await tree('apparel');
    expect(apparel.products.totalCount).toBe(2);
    expect(new Set(apparel.products.edges.map((e: { node: { id: string } }) => e.node.id))).toEqual(new Set([ids.oxford, ids.belt]));
    expect((await tree('shirts')).products.totalCount).toBe(1);
    const listed = await h.run(`{ products(filter: { categorySlug: "men" }) { totalCount } }`, GUEST);
    expect(listed.data.products.totalCount).toBe(2);
  });

  it('moves a category with its subtree, and never under itself or its descendants', async () => {
    const moved = await h.run(UPDATE, ADMIN, { id: ids.men, input: { parentId: ids.home } });
    expect(moved.data.categoryUpdate.userErrors).toEqual([]);
    expect((await tree('shirts')).ancestors).toEqual([{ slug: 'home' }, { slug: 'men' }]);
    expect((await tree('home')).products.totalCount).toBe(2);
    expect((await tree('apparel')).products.totalCount).toBe(0);
    for (const under of ['men', 'shirts']) {
      const cycle = await h.run(UPDATE, ADMIN, { id: ids.men, input: { parentId: ids[under] } });
      expect(cycle.data.categoryUpdate.userErrors).toEqual([{ field: ['input', 'parentId'], code: 'INVALID' }]);
    }
    const top = await h.run(UPDATE, ADMIN, { id: ids.men, input: { parentId: null, name: 'Menswear' } });
    expect(top.data.categoryUpdate.category).toMatchObject({ name: 'Menswear' });
    expect((await tree('shirts')).ancestors).toEqual([{ slug: 'men' }]);
  });

  it('refuses to delete a category that still has subcategories or products, and deletes an empty one', async () => {
    expect((await h.run(DELETE, ADMIN, { id: ids.men })).data.categoryDelete).toEqual({
      deletedCategoryId: null,
      userErrors: [{ field: ['id'], code: 'CONFLICT' }],
    });
    expect((await h.run(DELETE, ADMIN, { id: ids.shirts })).data.categoryDelete.userErrors).toEqual([{ field: ['id'], code: 'CONFLICT' }]);
    expect((await h.run(DELETE, ADMIN, { id: ids.apparel })).data.categoryDelete).toEqual({ deletedCategoryId: ids.apparel, userErrors: [] });
    expect(await tree('apparel')).toBeNull();
  });

  it('answers input problems as userErrors: a taken slug, an unknown parent, nesting too deep', async () => {
    expect((await h.run(CREATE, ADMIN, { input: { name: 'Shirts' } })).data.categoryCreate.userErrors).toEqual([
      { field: ['input', 'slug'], code: 'TAKEN' },
    ]);
    expect((await h.run(CREATE, ADMIN, { input: { name: 'X', parentId: randomUUID() } })).data.categoryCreate.userErrors).toEqual([
      { field: ['input', 'parentId'], code: 'NOT_FOUND' },
    ]);
    let parent = ids.home!;
    for (const level of [2, 3, 4, 5])
      parent = (await h.run(CREATE, ADMIN, { input: { name: `Level ${level}`, parentId: parent } })).data.categoryCreate.category.id;
    expect((await h.run(CREATE, ADMIN, { input: { name: 'Level 6', parentId: parent } })).data.categoryCreate.userErrors).toEqual([
      { field: ['input', 'parentId'], code: 'TOO_LARGE' },
    ]);
  });

  it('writes product.category.changed for the category and the parents whose children changed, in the same transaction', async () => {
    const events = async () =>
      (
        await h.orm.em
          .fork()
          .execute<Array<{ data: { categoryIds: string[]; change: string } }>>(
            `select payload -> 'data' as data from outbox_event where subject = 'product.category.changed' order by seq`,
          )
      ).map((row) => row.data);
    const before = (await events()).length;
    const child = await create('Socks', 'home');
    await h.run(UPDATE, ADMIN, { id: child, input: { name: 'Hosiery' } });
    await h.run(UPDATE, ADMIN, { id: child, input: { parentId: ids.men } });
    await h.run(DELETE, ADMIN, { id: child });
    expect((await events()).slice(before)).toEqual([
      { categoryIds: [ids.home], change: 'CREATED' },
      { categoryIds: [child], change: 'UPDATED' },
      { categoryIds: [child, ids.home, ids.men], change: 'UPDATED' },
      { categoryIds: [child, ids.men], change: 'DELETED' },
    ]);
  });

  it('changes nothing when an update is refused: a new name with an unknown parent keeps the old name, and no event', async () => {
    const count = async () =>
      (
        await h.orm.em.fork().execute<Array<{ n: number }>>(`select count(*)::int as n from outbox_event where subject = 'product.category.changed'`)
      )[0]!.n;
    const events = await count();
    const refused = await h.run(UPDATE, ADMIN, { id: ids.home, input: { name: 'Garden', parentId: randomUUID() } });
    expect(refused.data.categoryUpdate.userErrors).toEqual([{ field: ['input', 'parentId'], code: 'NOT_FOUND' }]);
    expect((await tree('home')).name).toBe('Home');
    expect(await count()).toBe(events);
  });

  it('is admin-only', async () => {
    expect((await h.run(CREATE, CUSTOMER, { input: { name: 'Nope' } })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
