import { ForbiddenError, type GuestCartMergeRequested, type Identity, type Logger } from '@shop/platform';
import type { CartService } from './cart.service.ts';

/**
 * A customer signed in with a guest cart (account.cart.merge_requested): the guest cart is folded
 * into the customer's with the MERGE rules, exactly as cartMerge does (quantities add up within
 * limits and stock, the guest cart ends EXPIRED, both carts are refreshed for cache and live views
 * after the commit). Idempotent: a guest cart that is already merged or otherwise no longer active,
 * unknown, or someone else's changes nothing, and says so at info level.
 */
export async function mergeAtLogin(carts: CartService, request: GuestCartMergeRequested, log: Logger): Promise<'merged' | 'skipped'> {
  // On the customer's behalf: the account subgraph verified who signed in.
  const identity: Identity = { sub: request.customerId, roles: ['customer'], token: null };
  // Never the guest cart's id: it is the key to that cart.
  const about = { customerId: request.customerId };
  try {
    const result = await carts.merge(identity, request.guestCartId, 'MERGE');
    if (result.userErrors.length > 0) {
      log.info({ ...about, reason: result.userErrors[0]!.message }, 'guest cart not merged at sign-in');
      return 'skipped';
    }
    log.info({ ...about, cartId: result.cart?.id, warnings: result.warnings.map((w) => w.code) }, 'guest cart merged at sign-in');
    return 'merged';
  } catch (error) {
    // Unknown, or not a guest cart: the same answer cartMerge gives, and nothing to retry.
    if (!(error instanceof ForbiddenError)) throw error;
    log.info(about, 'guest cart not merged at sign-in: no such guest cart');
    return 'skipped';
  }
}
