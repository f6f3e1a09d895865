import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { amountField, parseDecimal, transaction, userErrorsFromZod, type CurrencyCode, type UserError } from '@shop/platform';
import type { ShippingCountry } from '../data/shipping-country.entity.ts';
import { listShippingCountries, upsertCountryTax } from '../data/shipping.repository.ts';
import { createCountryZone, setStandardRate } from '../data/delivery.repository.ts';

/** "15" or "7.25" percent → basis points; refuses more than two decimals or more than 100 %. */
export function percentToBasisPoints(value: string): number | null {
  const parsed = parseDecimal(value, 'USD'); // two decimals: exactly the precision of basis points
  return parsed.ok && parsed.minor >= 0 && parsed.minor <= 10_000 ? parsed.minor : null;
}

/** Admin data that prices carts: tax and shipping per country (discount codes are promotions: promotion-admin.service.ts). */
export class StoreSettingsService {
  private readonly em: EntityManager;
  private readonly currency: CurrencyCode;
  constructor(em: EntityManager, currency: CurrencyCode) {
    this.em = em;
    this.currency = currency;
  }

  shippingCountries(): Promise<ShippingCountry[]> {
    return listShippingCountries(this.em);
  }

  async upsertShippingCountry(input: unknown): Promise<{ shippingCountry: ShippingCountry | null; userErrors: UserError[] }> {
    const model = z.object({
      countryCode: z
        .string()
        .trim()
        .transform((c) => c.toUpperCase())
        .refine((c) => /^[A-Z]{2}$/.test(c), 'Country must be an ISO 3166-1 alpha-2 code'),
      taxRate: z.string().transform((v, ctx) => {
        const bp = percentToBasisPoints(v);
        if (bp === null) ctx.addIssue({ code: 'custom', message: 'Tax rate must be a percentage from 0 to 100 with at most two decimals' });
        return bp ?? 0;
      }),
      shippingAmount: amountField(this.currency, 'Shipping amount'),
      freeShippingOver: amountField(this.currency, 'Free shipping threshold').nullish(),
    });
    const parsed = model.safeParse(input);
    if (!parsed.success) return { shippingCountry: null, userErrors: userErrorsFromZod(parsed.error, ['input']) };
    const c = parsed.data;
    // Deprecated: the tax rate, and the Standard method of the zone shipping to the whole country.
    await transaction(this.em, async ({ em: tx }) => {
      await upsertCountryTax(tx, c.countryCode, c.taxRate);
      await setStandardRate(tx, await createCountryZone(tx, c.countryCode), c.shippingAmount, c.freeShippingOver ?? null);
    });
    const shippingCountry = {
      countryCode: c.countryCode,
      taxBasisPoints: c.taxRate,
      shippingAmount: c.shippingAmount,
      freeShippingOver: c.freeShippingOver ?? null,
    };
    return { shippingCountry, userErrors: [] };
  }
}
