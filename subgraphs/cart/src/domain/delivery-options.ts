import type { DeliveryMethodRow } from '../data/delivery.repository.ts';
import { deliveryCost } from './totals.ts';

/** One way to deliver a cart, priced for it. */
export interface DeliveryOptionView {
  handle: string;
  title: string;
  /** What it costs this cart: its price, or 0 from its free-over threshold on. */
  cost: number;
  /** The method's rate (what the totals apply). */
  price: number;
  freeOver: number | null;
  minDeliveryDays: number | null;
  maxDeliveryDays: number | null;
  pickup: boolean;
}

/**
 * The zone's methods priced for a cart with this subtotal and discounted subtotal (`goods`):
 * cheapest first, pickup after everything shipped, ties in the zone's own order.
 */
export function deliveryOptions(methods: readonly DeliveryMethodRow[], subtotal: number, goods: number): DeliveryOptionView[] {
  const options = methods.map((m) => ({
    handle: m.handle,
    title: m.title,
    cost: deliveryCost({ price: m.price, freeOver: m.freeOver }, subtotal, goods),
    price: m.price,
    freeOver: m.freeOver,
    minDeliveryDays: m.minDays,
    maxDeliveryDays: m.maxDays,
    pickup: m.pickup,
  }));
  // Array.prototype.sort is stable: equal options keep the zone's order.
  return options.sort((a, b) => Number(a.pickup) - Number(b.pickup) || a.cost - b.cost);
}

/**
 * The option a cart's cost is for: the shopper's choice while it is offered, else the first —
 * the cheapest shipped one (pickup only when nothing ships there). None when nothing is offered.
 */
export function selectOption(options: readonly DeliveryOptionView[], chosen: string | null): DeliveryOptionView | null {
  return (chosen ? options.find((o) => o.handle === chosen) : undefined) ?? options[0] ?? null;
}
