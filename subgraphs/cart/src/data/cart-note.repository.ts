import type { EntityManager } from '@mikro-orm/postgresql';
import { CartSchema, type CartAttribute } from './cart.entity.ts';

/** The cart's note; null clears it. */
export async function setNote(tx: EntityManager, cartId: string, note: string | null): Promise<void> {
  await tx.nativeUpdate(CartSchema, { id: cartId }, { note });
}

/** Replaces the cart's attributes with this set (an empty list clears them). */
export async function setAttributes(tx: EntityManager, cartId: string, attributes: readonly CartAttribute[]): Promise<void> {
  await tx.nativeUpdate(CartSchema, { id: cartId }, { attributes: [...attributes] });
}

/** Note and attributes of carts, to carry over in a merge. */
export async function notesOf(
  tx: EntityManager,
  cartIds: readonly string[],
): Promise<Map<string, { note: string | null; attributes: CartAttribute[] }>> {
  const rows = await tx.find(CartSchema, { id: { $in: [...cartIds] } }, { fields: ['id', 'note', 'attributes'] });
  return new Map(rows.map((r) => [r.id, { note: r.note ?? null, attributes: r.attributes ?? [] }]));
}
