import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { amountField, parseDecimal, userError, userErrorsFromZod, type CurrencyCode, type UserError } from '@shop/platform';
import { normalizeCode } from './cart-rules.ts';

export interface DiscountCodeRow {
  code: string;
  kind: 'PERCENTAGE' | 'FIXED_AMOUNT';
  value: number;
  minimum_subtotal: number | null;
  expires_at: Date | null;
  usage_limit: number | null;
  usage_count: number;
  active: boolean;
}

export interface ShippingCountryRow {
  country_code: string;
  tax_basis_points: number;
  shipping_amount: number;
  free_shipping_over: number | null;
}

/** "15" or "7.25" percent → basis points; refuses more than two decimals or more than 100 %. */
function percentToBasisPoints(value: string): number | null {
  const parsed = parseDecimal(value, 'USD'); // two decimals: exactly the precision of basis points
  return parsed.ok && parsed.minor >= 0 && parsed.minor <= 10_000 ? parsed.minor : null;
}

/** Admin data that prices carts: discount codes, tax and shipping per country. */
export class StoreSettingsService {
  private readonly em: EntityManager;
  private readonly currency: CurrencyCode;
  constructor(em: EntityManager, currency: CurrencyCode) {
    this.em = em;
    this.currency = currency;
  }

  discountCodes(): Promise<DiscountCodeRow[]> {
    return this.em.fork().execute<DiscountCodeRow[]>('select * from discount_code order by code');
  }

  shippingCountries(): Promise<ShippingCountryRow[]> {
    return this.em.fork().execute<ShippingCountryRow[]>('select * from shipping_country order by country_code');
  }

  async upsertDiscountCode(input: unknown): Promise<{ discountCode: DiscountCodeRow | null; userErrors: UserError[] }> {
    const model = z.object({
      code: z
        .string()
        .trim()
        .min(1, 'Code is required')
        .max(64)
        .regex(/^[A-Za-z0-9_-]+$/, 'Letters, digits, "_" and "-" only')
        .transform(normalizeCode),
      kind: z.enum(['PERCENTAGE', 'FIXED_AMOUNT']),
      value: z.string(),
      minimumSubtotal: amountField(this.currency, 'Minimum subtotal').nullish(),
      expiresAt: z.coerce.date().nullish(),
      usageLimit: z.number().int().min(1, 'Usage limit must be at least 1').nullish(),
      active: z.boolean().nullish(),
    });
    const parsed = model.safeParse(input);
    if (!parsed.success) return { discountCode: null, userErrors: userErrorsFromZod(parsed.error, ['input']) };
    const d = parsed.data;
    let value: number;
    if (d.kind === 'PERCENTAGE') {
      const basisPoints = percentToBasisPoints(d.value);
      if (!basisPoints)
        return {
          discountCode: null,
          userErrors: [userError('INVALID', 'Percentage must be between 0.01 and 100 with at most two decimals', ['input', 'value'])],
        };
      value = basisPoints;
    } else {
      const amount = amountField(this.currency, 'Amount off', { positive: true }).safeParse(d.value);
      if (!amount.success) return { discountCode: null, userErrors: userErrorsFromZod(amount.error, ['input', 'value']) };
      value = amount.data;
    }
    const [row] = await this.em.fork().execute<DiscountCodeRow[]>(
      `insert into discount_code (code, kind, value, minimum_subtotal, expires_at, usage_limit, active)
       values (?, ?, ?, ?, ?, ?, ?)
       on conflict (code) do update set kind = excluded.kind, value = excluded.value, minimum_subtotal = excluded.minimum_subtotal,
         expires_at = excluded.expires_at, usage_limit = excluded.usage_limit, active = excluded.active, updated_at = now()
       returning *`,
      [d.code, d.kind, value, d.minimumSubtotal ?? null, d.expiresAt ?? null, d.usageLimit ?? null, d.active ?? true],
    );
    return { discountCode: row!, userErrors: [] };
  }

  async upsertShippingCountry(input: unknown): Promise<{ shippingCountry: ShippingCountryRow | null; userErrors: UserError[] }> {
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
    const [row] = await this.em.fork().execute<ShippingCountryRow[]>(
      `insert into shipping_country (country_code, tax_basis_points, shipping_amount, free_shipping_over) values (?, ?, ?, ?)
       on conflict (country_code) do update set tax_basis_points = excluded.tax_basis_points, shipping_amount = excluded.shipping_amount,
         free_shipping_over = excluded.free_shipping_over
       returning *`,
      [c.countryCode, c.taxRate, c.shippingAmount, c.freeShippingOver ?? null],
    );
    return { shippingCountry: row!, userErrors: [] };
  }
}
