import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryService } from '../src/domain/inventory.service.ts';
import { insertProducts, startCatalogHarness, stockOf, type CatalogHarness } from './catalog-harness.ts';

let h: CatalogHarness;
const productId = randomUUID();
const service = new InventoryService();

beforeAll(async () => {
  h = await startCatalogHarness();
  await insertProducts(h.orm, [{ id: productId, sku: 'RET-1', name: 'Lamp', price: 1000, onHand: 10 }]);
});
afterAll(async () => h?.orm.close());

const stock = () => stockOf(h.orm, productId);
const inTx = <T>(work: (em: Parameters<Parameters<CatalogHarness['orm']['em']['transactional']>[0]>[0]) => Promise<T>) =>
  h.orm.em.fork().transactional(work);

describe('returning the stock of a cancelled, paid order', () => {
  it('puts committed units back on hand once, and ignores orders that were never committed', async () => {
    const orderId = randomUUID();
    await inTx((em) => service.reserve(em, orderId, [{ productId, quantity: 3 }]));
    await inTx((em) => service.commit(em, orderId));
    expect(await stock()).toEqual({ onHand: 7, reserved: 0 });
    expect(await inTx((em) => service.returnStock(em, orderId))).toBe(true);
    expect(await inTx((em) => service.returnStock(em, orderId))).toBe(false);
    expect(await stock()).toEqual({ onHand: 10, reserved: 0 });

    const reservedOnly = randomUUID();
    await inTx((em) => service.reserve(em, reservedOnly, [{ productId, quantity: 2 }]));
    expect(await inTx((em) => service.returnStock(em, reservedOnly))).toBe(false);
    expect(await stock()).toEqual({ onHand: 10, reserved: 2 });
  });
});
