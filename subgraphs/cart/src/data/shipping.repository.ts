import type { EntityManager } from '@mikro-orm/postgresql';
import { ShippingCountrySchema, type ShippingCountry } from './shipping-country.entity.ts';

export function listShippingCountries(em: EntityManager): Promise<ShippingCountry[]> {
  return em.find(ShippingCountrySchema, {}, { orderBy: { countryCode: 'asc' } });
}

export async function shipsTo(em: EntityManager, countryCode: string): Promise<boolean> {
  return (await em.count(ShippingCountrySchema, { countryCode })) > 0;
}

export interface ShippingCountryInput {
  countryCode: string;
  taxBasisPoints: number;
  shippingAmount: number;
  freeShippingOver: number | null;
}

export async function upsertShippingCountry(em: EntityManager, c: ShippingCountryInput): Promise<ShippingCountry> {
  // Raw: `on conflict do update ... returning` in one statement.
  const [row] = await em.execute<Array<Record<string, unknown>>>(
    `insert into shipping_country (country_code, tax_basis_points, shipping_amount, free_shipping_over) values (?, ?, ?, ?)
     on conflict (country_code) do update set tax_basis_points = excluded.tax_basis_points, shipping_amount = excluded.shipping_amount,
       free_shipping_over = excluded.free_shipping_over
     returning *`,
    [c.countryCode, c.taxBasisPoints, c.shippingAmount, c.freeShippingOver],
  );
  return em.map(ShippingCountrySchema, row!);
}
