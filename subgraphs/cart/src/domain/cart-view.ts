import type { CartStatus } from '../data/cart.entity.ts';
import type { CartTotals } from './totals.ts';

/**
 * Everything a cart read needs, in one JSON-safe value: what the Redis cache stores under one key
 * per cart, and what resolvers read. `version` orders copies: a newer version always wins.
 */
export interface CartView {
  id: string;
  customerId: string | null;
  status: CartStatus;
  version: number;
  currency: string;
  email: string | null;
  countryCode: string | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  lines: CartLineView[];
  discountCodes: Array<{ code: string; applicable: boolean }>;
  totals: CartTotals;
}

export interface CartLineView {
  id: string;
  productId: string;
  quantity: number;
  unitPriceAmount: number;
  name: string;
  available: boolean;
  createdAt: string;
}
