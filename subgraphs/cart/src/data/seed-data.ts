import type { EntityManager } from '@mikro-orm/postgresql';
import { seedPromotionCodes } from './promotion-seed-data.ts';

/** Countries' tax rates in basis points (725 = 7.25 %); their Standard delivery is in ZONES. */
const COUNTRIES = [
  { code: 'US', taxBp: 725 },
  { code: 'CA', taxBp: 500 },
  { code: 'GB', taxBp: 2000 },
  { code: 'DE', taxBp: 1900 },
  { code: 'FR', taxBp: 2000 },
  { code: 'BE', taxBp: 2100 },
  { code: 'AT', taxBp: 2000 },
  { code: 'ES', taxBp: 2100 },
  { code: 'IT', taxBp: 2200 },
];

/** Regions with a rate of their own (US states' sales tax, Canadian provinces' GST + PST/HST). */
const REGION_RATES = [
  { country: 'US', region: 'CA', taxBp: 725 },
  { country: 'US', region: 'NY', taxBp: 400 },
  { country: 'US', region: 'TX', taxBp: 625 },
  { country: 'US', region: 'WA', taxBp: 650 },
  { country: 'US', region: 'OR', taxBp: 0 },
  { country: 'CA', region: 'ON', taxBp: 1300 },
  { country: 'CA', region: 'BC', taxBp: 1200 },
  { country: 'CA', region: 'AB', taxBp: 500 },
];

type Method = { handle: string; title: string; price: number; freeOver: number | null; days: [number, number]; pickup?: boolean };
const standard = (price: number, freeOver: number | null, days: [number, number]): Method => ({
  handle: 'standard',
  title: 'Standard',
  price,
  freeOver,
  days,
});
const express = (price: number, days: [number, number]): Method => ({ handle: 'express', title: 'Express', price, freeOver: null, days });
const PICKUP: Method = { handle: 'pickup', title: 'Pickup in store', price: 0, freeOver: null, days: [0, 1], pickup: true };

/**
 * Shipping zones: the five first countries keep their former flat rate as Standard with untaxed
 * delivery (what the migration makes of an existing store), plus Express and Pickup; Alaska and
 * Hawaii cost more; the EU zone taxes delivery at the goods' rate (null), as VAT does.
 */
const ZONES: Array<{ handle: string; name: string; shippingTaxBp: number | null; members: Array<[string, string]>; methods: Method[] }> = [
  {
    handle: 'us',
    name: 'United States',
    shippingTaxBp: 0,
    members: [['US', '']],
    methods: [standard(499, 5000, [3, 5]), express(1499, [1, 2]), PICKUP],
  },
  {
    handle: 'us-remote',
    name: 'Alaska and Hawaii',
    shippingTaxBp: 0,
    members: [
      ['US', 'AK'],
      ['US', 'HI'],
    ],
    methods: [standard(1299, null, [5, 10]), express(2999, [2, 4])],
  },
  { handle: 'ca', name: 'Canada', shippingTaxBp: 0, members: [['CA', '']], methods: [standard(999, 10000, [4, 8]), express(2499, [2, 3])] },
  { handle: 'gb', name: 'United Kingdom', shippingTaxBp: 0, members: [['GB', '']], methods: [standard(699, 7500, [3, 5]), express(1299, [1, 2])] },
  { handle: 'de', name: 'Germany', shippingTaxBp: 0, members: [['DE', '']], methods: [standard(599, 7500, [3, 6]), express(1499, [1, 3]), PICKUP] },
  { handle: 'fr', name: 'France', shippingTaxBp: 0, members: [['FR', '']], methods: [standard(599, 7500, [3, 6]), express(1499, [1, 3])] },
  {
    handle: 'eu',
    name: 'European Union',
    shippingTaxBp: null,
    members: [
      ['AT', ''],
      ['BE', ''],
      ['ES', ''],
      ['IT', ''],
    ],
    methods: [standard(899, 10000, [4, 8]), express(1999, [2, 4])],
  },
];

/** Rates and codes (promotion-seed-data.ts) for the demo store. Idempotent (existing rows are left as an admin set them). */
export async function seedCartData(em: EntityManager): Promise<{ countries: number; zones: number; methods: number; codes: number }> {
  let countries = 0;
  for (const c of COUNTRIES) {
    const r = await em.execute<{ affectedRows: number }>(
      'insert into shipping_country (country_code, tax_basis_points) values (?, ?) on conflict do nothing',
      [c.code, c.taxBp],
      'run',
    );
    countries += r.affectedRows;
  }
  for (const r of REGION_RATES) {
    await em.execute('insert into tax_region_rate (country_code, region_code, tax_basis_points) values (?, ?, ?) on conflict do nothing', [
      r.country,
      r.region,
      r.taxBp,
    ]);
  }
  const { zones, methods } = await seedZones(em);
  const codes = await seedPromotionCodes(em);
  return { countries, zones, methods, codes };
}

/** Zones, their countries and methods; what exists (an admin's or a migrated store's) is left as it is. */
async function seedZones(em: EntityManager): Promise<{ zones: number; methods: number }> {
  let zones = 0;
  let methods = 0;
  for (const z of ZONES) {
    const made = await em.execute<{ affectedRows: number }>(
      'insert into shipping_zone (id, handle, name, shipping_tax_basis_points) values (gen_random_uuid(), ?, ?, ?) on conflict do nothing',
      [z.handle, z.name, z.shippingTaxBp],
      'run',
    );
    zones += made.affectedRows;
    for (const [country, region] of z.members) {
      await em.execute(
        `insert into shipping_zone_country (zone_id, country_code, region_code) select id, ?, ? from shipping_zone where handle = ? on conflict do nothing`,
        [country, region, z.handle],
      );
    }
    for (const [position, m] of z.methods.entries()) {
      const r = await em.execute<{ affectedRows: number }>(
        `insert into delivery_method (id, zone_id, handle, title, price, free_over, min_days, max_days, pickup, position)
         select gen_random_uuid(), id, ?, ?, ?, ?, ?, ?, ?, ? from shipping_zone where handle = ? on conflict do nothing`,
        [m.handle, m.title, m.price, m.freeOver, m.days[0], m.days[1], m.pickup ?? false, position, z.handle],
        'run',
      );
      methods += r.affectedRows;
    }
  }
  return { zones, methods };
}
