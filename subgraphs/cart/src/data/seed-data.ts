import type { EntityManager } from '@mikro-orm/postgresql';

/** Countries we ship to: tax in basis points (725 = 7.25 %), flat shipping and free-shipping threshold in cents. */
const COUNTRIES = [
  { code: 'US', taxBp: 725, shipping: 499, freeOver: 5000 },
  { code: 'CA', taxBp: 500, shipping: 999, freeOver: 10000 },
  { code: 'GB', taxBp: 2000, shipping: 699, freeOver: 7500 },
  { code: 'DE', taxBp: 1900, shipping: 599, freeOver: 7500 },
  { code: 'FR', taxBp: 2000, shipping: 599, freeOver: 7500 },
];

/** Demo discount codes: percentages in basis points, fixed amounts in cents. */
const CODES = [
  { code: 'WELCOME10', kind: 'PERCENTAGE', value: 1000, minimum: null, limit: null },
  { code: 'SAVE15', kind: 'PERCENTAGE', value: 1500, minimum: 3000, limit: null },
  { code: 'FIVEOFF', kind: 'FIXED_AMOUNT', value: 500, minimum: 2500, limit: 1000 },
];

/** Rates and codes for the demo store. Idempotent (existing rows are left as an admin set them). */
export async function seedCartData(em: EntityManager): Promise<{ countries: number; codes: number }> {
  let countries = 0;
  let codes = 0;
  for (const c of COUNTRIES) {
    const r = await em.execute<{ affectedRows: number }>(
      'insert into shipping_country (country_code, tax_basis_points, shipping_amount, free_shipping_over) values (?, ?, ?, ?) on conflict do nothing',
      [c.code, c.taxBp, c.shipping, c.freeOver],
      'run',
    );
    countries += r.affectedRows;
  }
  for (const d of CODES) {
    const r = await em.execute<{ affectedRows: number }>(
      'insert into discount_code (code, kind, value, minimum_subtotal, usage_limit) values (?, ?, ?, ?, ?) on conflict do nothing',
      [d.code, d.kind, d.value, d.minimum, d.limit],
      'run',
    );
    codes += r.affectedRows;
  }
  return { countries, codes };
}
