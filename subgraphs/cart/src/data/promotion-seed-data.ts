import type { EntityManager } from '@mikro-orm/postgresql';
import { parsePromotionInput } from '../domain/promotions/index.ts';
import { insertPromotion } from './promotion.repository.ts';

/** Written as an admin would enter them (promotionCreate's input), with fixed ids so seeding twice adds nothing. */
type DemoPromotion = { id: string; input: Record<string, unknown> };

/** The demo codes (the former discount codes, WELCOME10 now for a first order, once per customer). */
const CODES: DemoPromotion[] = [
  {
    id: '00000000-0000-4000-8000-00000000c001',
    input: {
      title: 'Welcome: 10 % off your first order',
      code: 'WELCOME10',
      usageLimitPerCustomer: 1,
      conditions: { firstOrderOnly: true },
      action: { type: 'ORDER_PERCENTAGE', percentage: '10' },
    },
  },
  {
    id: '00000000-0000-4000-8000-00000000c002',
    input: { title: 'SAVE15', code: 'SAVE15', conditions: { minimumSubtotal: '30.00' }, action: { type: 'ORDER_PERCENTAGE', percentage: '15' } },
  },
  {
    id: '00000000-0000-4000-8000-00000000c003',
    input: {
      title: 'FIVEOFF',
      code: 'FIVEOFF',
      usageLimit: 1000,
      conditions: { minimumSubtotal: '25.00' },
      action: { type: 'ORDER_FIXED', amount: '5.00' },
    },
  },
];

/**
 * The demo store's automatic promotions: 10 % off from 100.00, and any delivery method free from
 * 150.00 (Standard is free from 50.00–100.00 by its zone already; this makes Express free too).
 */
const AUTOMATIC: DemoPromotion[] = [
  {
    id: '00000000-0000-4000-8000-00000000a001',
    input: {
      title: '10 % off orders over 100.00',
      priority: 10,
      conditions: { minimumSubtotal: '100.00' },
      action: { type: 'ORDER_PERCENTAGE', percentage: '10' },
    },
  },
  {
    id: '00000000-0000-4000-8000-00000000a002',
    input: { title: 'Free delivery over 150.00', priority: 20, conditions: { minimumSubtotal: '150.00' }, action: { type: 'FREE_DELIVERY' } },
  },
];

async function seed(em: EntityManager, promotions: DemoPromotion[]): Promise<number> {
  let made = 0;
  for (const { id, input } of promotions) {
    const parsed = parsePromotionInput(input, 'USD');
    if (!parsed.ok) throw new Error(`Demo promotion ${id}: ${parsed.userErrors.map((e) => e.message).join('; ')}`);
    if (await insertPromotion(em, parsed.promotion, id)) made++;
  }
  return made;
}

/** The demo codes (the cart tests' WELCOME10 among them). What exists is left as an admin set it. */
export const seedPromotionCodes = (em: EntityManager) => seed(em, CODES);

/** The automatic promotions: for the demo store only (the cart tests price carts without them). */
export const seedAutomaticPromotions = (em: EntityManager) => seed(em, AUTOMATIC);
