import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@shop/platform';
import { ShippingCountrySchema, type ShippingCountry } from './shipping-country.entity.ts';
import { TaxRegionRateSchema, type TaxRegionRate } from './shipping-zone.entity.ts';

/**
 * Countries some zone ships to, with their tax rate (0 when none is set) and, for the deprecated
 * flat fields, the cheapest shipped method of the zone serving the whole country.
 */
export function listShippingCountries(em: EntityManager): Promise<ShippingCountry[]> {
  return em.execute<ShippingCountry[]>(
    `select c.country_code as "countryCode", coalesce(sc.tax_basis_points, 0) as "taxBasisPoints",
            coalesce(m.price, 0) as "shippingAmount", m.free_over as "freeShippingOver"
       from (select distinct country_code from shipping_zone_country) c
       left join shipping_country sc on sc.country_code = c.country_code
       left join lateral (select m.price, m.free_over from shipping_zone_country zc join delivery_method m on m.zone_id = zc.zone_id
                           where zc.country_code = c.country_code and zc.region_code = '' and not m.pickup
                           order by m.price, m.position, m.handle limit 1) m on true
      order by c.country_code`,
  );
}

/** Some zone ships to the country (or to part of it). */
export async function shipsTo(em: EntityManager, countryCode: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>(em, 'select exists (select 1 from shipping_zone_country where country_code = $1) as found', [
    countryCode,
  ]);
  return rows[0]!.found;
}

/** Set a country's tax rate (creating its row: the legacy shipping columns keep their defaults). */
export async function upsertCountryTax(em: EntityManager, countryCode: string, taxBasisPoints: number): Promise<void> {
  await em.execute(
    `insert into shipping_country (country_code, tax_basis_points) values (?, ?)
     on conflict (country_code) do update set tax_basis_points = excluded.tax_basis_points`,
    [countryCode, taxBasisPoints],
  );
}

export async function upsertRegionTax(em: EntityManager, countryCode: string, regionCode: string, taxBasisPoints: number): Promise<void> {
  await em.execute(
    `insert into tax_region_rate (country_code, region_code, tax_basis_points) values (?, ?, ?)
     on conflict (country_code, region_code) do update set tax_basis_points = excluded.tax_basis_points`,
    [countryCode, regionCode, taxBasisPoints],
  );
}

/** Countries' rates (region null) and regions' own rates, by country then region. */
export async function listTaxRates(em: EntityManager): Promise<Array<{ countryCode: string; regionCode: string | null; taxBasisPoints: number }>> {
  const [countries, regions] = await Promise.all([
    em.find(ShippingCountrySchema, {}, { orderBy: { countryCode: 'asc' } }),
    em.find(TaxRegionRateSchema, {}, { orderBy: { countryCode: 'asc', regionCode: 'asc' } }),
  ]);
  const rows = [
    ...countries.map((c) => ({ countryCode: c.countryCode, regionCode: null as string | null, taxBasisPoints: c.taxBasisPoints })),
    ...regions.map((r: TaxRegionRate) => ({
      countryCode: r.countryCode,
      regionCode: r.regionCode as string | null,
      taxBasisPoints: r.taxBasisPoints,
    })),
  ];
  return rows.sort((a, b) => a.countryCode.localeCompare(b.countryCode) || (a.regionCode ?? '').localeCompare(b.regionCode ?? ''));
}
