import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { formatMoney, userError, userErrorsFromZod, type Identity, type UserError } from '@shop/platform';
import { readBuyer, setBuyer, type BuyerFields } from '../data/cart.repository.ts';
import { readDestination } from '../data/delivery.repository.ts';
import { shipsTo } from '../data/shipping.repository.ts';
import { countryCodeField, mailingAddressModel, phoneField, regionNameProblem, regionOf, storedAddress, type CartAddress } from './cart-address.ts';
import { mutateCart, refuse, type CartMutationDeps, type CartResult, type CartWarning } from './cart-mutation.ts';
import { loadCartView } from './cart-view.ts';

/** CartBuyerIdentityInput: a field left out (undefined) keeps its value, null clears it. */
export interface BuyerIdentityInput {
  email?: string | null;
  phone?: string | null;
  countryCode?: string | null;
  deliveryAddress?: unknown;
  billingAddress?: unknown;
}

const buyerModel = z.object({
  email: z.string().trim().email('Not a valid email address').max(320).nullish(),
  phone: phoneField.optional(),
  countryCode: countryCodeField.nullish(),
  deliveryAddress: mailingAddressModel.nullish(),
  billingAddress: mailingAddressModel.nullish(),
});

const FIELD = 'buyerIdentity';

/** Each part of the input on its own, so a bad email does not hide an unsupported country (every problem at once). */
function parsePart<T>(model: z.ZodType<T>, value: unknown): T | undefined {
  const parsed = model.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Where the buyer's country and address can be delivered to: the country must be in a zone, and an
 * address's region must be served (a zone for it or for its whole country). Returns the problems.
 */
async function deliveryProblems(
  tx: EntityManager,
  countryCode: string | null | undefined,
  address: CartAddress | null | undefined,
): Promise<UserError[]> {
  if (address) {
    const region = regionOf(address);
    const destination = await readDestination(tx, address.countryCode, region);
    const path = [FIELD, 'deliveryAddress'];
    const named = regionNameProblem(destination, address, [...path, 'province']);
    if (named) return [named];
    if (destination.zoned) return [];
    if (!(await shipsTo(tx, address.countryCode)))
      return [userError('UNSUPPORTED_COUNTRY', `We do not deliver to ${address.countryCode}`, [...path, 'countryCode'])];
    if (!region)
      return [userError('REQUIRED', `Enter the state or region: we deliver to some regions of ${address.countryCode} only`, [...path, 'province'])];
    return [userError('UNSUPPORTED_COUNTRY', `We do not deliver to ${region} in ${address.countryCode}`, [...path, 'province'])];
  }
  if (countryCode && !(await shipsTo(tx, countryCode)))
    return [userError('UNSUPPORTED_COUNTRY', `We do not deliver to ${countryCode}`, [FIELD, 'countryCode'])];
  return [];
}

/**
 * Set who is buying and where it ships. A delivery address sets the country; a country alone (for
 * an estimate) that differs from the address's drops the address. Every problem is reported at
 * once. When the new address is not served by the delivery option the shopper chose, the cheapest
 * one that is gets selected, with a DELIVERY_OPTION_CHANGED warning.
 */
export async function updateBuyerIdentity(
  deps: CartMutationDeps,
  cartId: string,
  identity: Identity,
  input: BuyerIdentityInput,
  expectedVersion?: number | null,
): Promise<CartResult> {
  return mutateCart(deps, cartId, identity, expectedVersion, async (tx, cart) => {
    const parsed = buyerModel.safeParse(input);
    const errors: UserError[] = parsed.success ? [] : userErrorsFromZod(parsed.error, [FIELD]);
    const countryCode = parsePart(countryCodeField.nullish(), input.countryCode);
    const deliveryAddress = parsePart(mailingAddressModel.nullish(), input.deliveryAddress);
    if (deliveryAddress && countryCode && countryCode !== deliveryAddress.countryCode)
      errors.push(
        userError('INVALID', `The country ${countryCode} differs from the delivery address's (${deliveryAddress.countryCode})`, [
          FIELD,
          'countryCode',
        ]),
      );
    errors.push(...(await deliveryProblems(tx, countryCode, deliveryAddress)));
    if (errors.length || !parsed.success) return refuse(...errors);

    const before = await readBuyer(tx, cart.id);
    const fields = buyerFields(parsed.data, before);
    await setBuyer(tx, cart.id, fields);
    const moved = fields.countryCode !== undefined || fields.deliveryAddress !== undefined;
    return moved ? keepOrReselect(deps, tx, cart.id, before) : [];
  });
}

/** What to write: a field left out keeps its value (see BuyerIdentityInput). */
function buyerFields(input: z.output<typeof buyerModel>, before: { countryCode: string | null; deliveryAddress: unknown }): BuyerFields {
  const fields: BuyerFields = { email: input.email, phone: input.phone, billingAddress: input.billingAddress };
  if (input.deliveryAddress !== undefined) {
    fields.deliveryAddress = input.deliveryAddress;
    fields.addressFromDefault = false;
    if (input.deliveryAddress) fields.countryCode = input.deliveryAddress.countryCode;
    else if (input.countryCode !== undefined) fields.countryCode = input.countryCode;
  } else if (input.countryCode !== undefined) {
    fields.countryCode = input.countryCode;
    // An address elsewhere than the new country no longer says where the order goes.
    const address = storedAddress(before.deliveryAddress);
    if (address && address.countryCode !== input.countryCode) {
      fields.deliveryAddress = null;
      fields.addressFromDefault = false;
    }
  }
  return fields;
}

/**
 * After a change of address: the shopper's chosen option stays when the new destination offers it;
 * otherwise the choice is dropped (the cheapest applies) with a warning naming both.
 */
export async function keepOrReselect(
  deps: Pick<CartMutationDeps, 'pricing'>,
  tx: EntityManager,
  cartId: string,
  before: { countryCode: string | null; deliveryAddress: unknown; deliveryMethodHandle: string | null },
): Promise<CartWarning[]> {
  const chosen = before.deliveryMethodHandle;
  if (!chosen) return [];
  const view = (await loadCartView(tx, cartId, deps.pricing))!;
  if (view.deliveryOptions.some((o) => o.handle === chosen)) return [];
  const old = await readDestination(
    tx,
    before.countryCode ?? deps.pricing.defaultCountry,
    before.countryCode ? regionOf(storedAddress(before.deliveryAddress)) : null,
  );
  const oldTitle = old.methods.find((m) => m.handle === chosen)?.title ?? chosen;
  await setBuyer(tx, cartId, { deliveryMethodHandle: null });
  const now = view.deliveryOptions[0];
  const instead = now ? `${now.title} (${formatMoney(now.cost, view.currency)}) is selected instead` : 'no delivery option is available there';
  return [{ code: 'DELIVERY_OPTION_CHANGED', message: `${oldTitle} does not deliver to this address; ${instead}`, target: null }];
}

/** Pick one of the cart's delivery options by handle; an option it does not offer is refused, naming those it does. */
export async function selectDeliveryOption(
  deps: CartMutationDeps,
  cartId: string,
  identity: Identity,
  rawHandle: string,
  expectedVersion?: number | null,
): Promise<CartResult> {
  const handle = rawHandle.trim().toLowerCase();
  return mutateCart(deps, cartId, identity, expectedVersion, async (tx, cart) => {
    const view = (await loadCartView(tx, cart.id, deps.pricing))!;
    if (!view.deliveryOptions.some((o) => o.handle === handle)) {
      const offered = view.deliveryOptions.map((o) => `${o.title} (${o.handle})`).join(', ');
      const shown = handle.length > 64 ? `${handle.slice(0, 64)}…` : handle;
      refuse(
        userError(
          'NOT_FOUND',
          offered
            ? `There is no delivery option "${shown}" for this address; choose one of ${offered}`
            : 'No delivery option is available for this address',
          ['handle'],
        ),
      );
    }
    await setBuyer(tx, cart.id, { deliveryMethodHandle: handle });
  });
}
