import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '@shop/platform';
import {
  DeliveryMethodSchema,
  ShippingZoneCountrySchema,
  ShippingZoneSchema,
  type DeliveryMethod,
  type ShippingZone,
} from './shipping-zone.entity.ts';

/** A delivery method as a cart's view needs it. */
export interface DeliveryMethodRow {
  handle: string;
  title: string;
  price: number;
  freeOver: number | null;
  minDays: number | null;
  maxDays: number | null;
  pickup: boolean;
}

/** What delivering to a country (and region) means for a cart: its rates and methods. */
export interface DestinationRow {
  /** The region's rate, else the country's, else 0. */
  goodsTaxBasisPoints: number;
  /** The country has regions with their own rate or zone: without a region the figures are an estimate. */
  regional: boolean;
  /** A zone ships there. */
  zoned: boolean;
  /** The zone's tax on delivery; null: the goods' rate. */
  shippingTaxBasisPoints: number | null;
  /** In position order. */
  methods: DeliveryMethodRow[];
}

/** Destinations already read in a transaction, by country and region (the transaction's em dies with it). */
const readInTransaction = new WeakMap<EntityManager, Map<string, Promise<DestinationRow>>>();

/**
 * Rates and methods for a destination, in one statement (it runs with every cart read that misses
 * the cache). A checkout checks the address, keeps or reselects the delivery option and prices the
 * cart, each with the destination: within a transaction it is read once and shared.
 */
export function readDestination(em: EntityManager, countryCode: string, regionCode: string | null): Promise<DestinationRow> {
  if (!em.isInTransaction()) return queryDestination(em, countryCode, regionCode);
  let read = readInTransaction.get(em);
  if (!read) readInTransaction.set(em, (read = new Map()));
  const key = `${countryCode}/${regionCode ?? ''}`;
  let row = read.get(key);
  if (!row) read.set(key, (row = queryDestination(em, countryCode, regionCode)));
  return row;
}

/**
 * The zone is the one listing the region, else the one listing the whole country. Through sql():
 * one text, prepared once per connection (planning it was most of its cost).
 */
async function queryDestination(em: EntityManager, countryCode: string, regionCode: string | null): Promise<DestinationRow> {
  const region = regionCode ?? '';
  const { rows } = await sql<DestinationRow>(
    em,
    `select
       coalesce((select tax_basis_points from tax_region_rate where country_code = $1 and region_code = $2),
                (select tax_basis_points from shipping_country where country_code = $1), 0) as "goodsTaxBasisPoints",
       (exists (select 1 from tax_region_rate where country_code = $1)
         or exists (select 1 from shipping_zone_country where country_code = $1 and region_code <> '')) as "regional",
       z.id is not null as "zoned",
       z.shipping_tax_basis_points as "shippingTaxBasisPoints",
       coalesce((select json_agg(json_build_object('handle', m.handle, 'title', m.title, 'price', m.price, 'freeOver', m.free_over,
                                                   'minDays', m.min_days, 'maxDays', m.max_days, 'pickup', m.pickup)
                                 order by m.position, m.handle)
                   from delivery_method m where m.zone_id = z.id), '[]'::json) as "methods"
       from (select 1) one
       left join lateral (select z.id, z.shipping_tax_basis_points from shipping_zone_country c join shipping_zone z on z.id = c.zone_id
                           where c.country_code = $1 and c.region_code in ($2, '') order by c.region_code desc limit 1) z on true`,
    [countryCode, region],
  );
  return rows[0]!;
}

/** Some zone ships to the country (or part of it). */
export async function countryIsZoned(em: EntityManager, countryCode: string): Promise<boolean> {
  return (await em.count(ShippingZoneCountrySchema, { countryCode })) > 0;
}

export interface ZoneWithDetails {
  zone: ShippingZone;
  countries: Array<{ countryCode: string; regionCodes: string[] }>;
  methods: DeliveryMethod[];
}

/** Zones with their countries and methods, by handle (three statements, whatever the number of zones). */
export async function listZones(em: EntityManager, handles?: readonly string[]): Promise<ZoneWithDetails[]> {
  const zones = await em.find(ShippingZoneSchema, handles ? { handle: { $in: [...handles] } } : {}, { orderBy: { handle: 'asc' } });
  if (zones.length === 0) return [];
  const ids = zones.map((z) => z.id);
  const [members, methods] = await Promise.all([
    em.find(ShippingZoneCountrySchema, { zone: { $in: ids } }, { orderBy: { countryCode: 'asc', regionCode: 'asc' } }),
    em.find(DeliveryMethodSchema, { zone: { $in: ids } }, { orderBy: { position: 'asc', handle: 'asc' } }),
  ]);
  return zones.map((zone) => {
    const countries = new Map<string, string[]>();
    for (const m of members.filter((m) => m.zone.id === zone.id)) {
      const regions = countries.get(m.countryCode) ?? [];
      if (m.regionCode) regions.push(m.regionCode);
      countries.set(m.countryCode, regions);
    }
    return {
      zone,
      countries: [...countries].map(([countryCode, regionCodes]) => ({ countryCode, regionCodes })),
      methods: methods.filter((m) => m.zone.id === zone.id),
    };
  });
}

export interface ZoneInput {
  handle: string;
  name: string;
  shippingTaxBasisPoints: number | null;
  /** regionCode '' is the whole country. */
  members: Array<{ countryCode: string; regionCode: string }>;
}

/**
 * Create or replace a zone (by handle) with its members. Returns the members another zone already
 * holds, and changes nothing then (the caller's transaction is rolled back by its refusal).
 */
export async function upsertZone(
  tx: EntityManager,
  zone: ZoneInput,
): Promise<{ taken: Array<{ countryCode: string; regionCode: string; zone: string }> }> {
  // Zone changes are rare admin work: one at a time, so two zones claiming a country at once cannot both pass the check.
  await tx.execute(`select pg_advisory_xact_lock(hashtext('shipping_zone'))`);
  // Raw: `on conflict do update ... returning` in one statement.
  const [row] = await tx.execute<Array<{ id: string }>>(
    `insert into shipping_zone (id, handle, name, shipping_tax_basis_points) values (gen_random_uuid(), ?, ?, ?)
     on conflict (handle) do update set name = excluded.name, shipping_tax_basis_points = excluded.shipping_tax_basis_points, updated_at = now()
     returning id`,
    [zone.handle, zone.name, zone.shippingTaxBasisPoints],
  );
  const id = row!.id;
  const taken = zone.members.length
    ? await tx.execute<Array<{ countryCode: string; regionCode: string; zone: string }>>(
        `select c.country_code as "countryCode", c.region_code as "regionCode", z.handle as zone
           from shipping_zone_country c join shipping_zone z on z.id = c.zone_id
          where c.zone_id <> ? and (c.country_code, c.region_code) in (select e->>'c', e->>'r' from json_array_elements(?::json) e)
          order by c.country_code, c.region_code`,
        [id, JSON.stringify(zone.members.map((m) => ({ c: m.countryCode, r: m.regionCode })))],
      )
    : [];
  if (taken.length) return { taken };
  await tx.nativeDelete(ShippingZoneCountrySchema, { zone: id });
  if (zone.members.length)
    await tx.insertMany(
      ShippingZoneCountrySchema,
      zone.members.map((m) => ({ zone: id, ...m })),
    );
  return { taken: [] };
}

export async function deleteZone(tx: EntityManager, handle: string): Promise<boolean> {
  return (await tx.nativeDelete(ShippingZoneSchema, { handle })) > 0;
}

export interface MethodInput {
  handle: string;
  title: string;
  price: number;
  freeOver: number | null;
  minDays: number | null;
  maxDays: number | null;
  pickup: boolean;
  position: number;
}

/** Create or update a zone's method (by handle); false when there is no such zone. */
export async function upsertMethod(tx: EntityManager, zoneHandle: string, m: MethodInput): Promise<boolean> {
  // Raw: `on conflict do update` on (zone, handle), the zone found by its handle, in one statement.
  const inserted = await tx.execute<{ affectedRows: number }>(
    `insert into delivery_method (id, zone_id, handle, title, price, free_over, min_days, max_days, pickup, position)
     select gen_random_uuid(), z.id, ?, ?, ?, ?, ?, ?, ?, ? from shipping_zone z where z.handle = ?
     on conflict (zone_id, handle) do update set title = excluded.title, price = excluded.price, free_over = excluded.free_over,
       min_days = excluded.min_days, max_days = excluded.max_days, pickup = excluded.pickup, position = excluded.position`,
    [m.handle, m.title, m.price, m.freeOver, m.minDays, m.maxDays, m.pickup, m.position, zoneHandle],
    'run',
  );
  return inserted.affectedRows > 0;
}

export async function deleteMethod(tx: EntityManager, zoneHandle: string, handle: string): Promise<boolean> {
  const deleted = await tx.execute<{ affectedRows: number }>(
    'delete from delivery_method m using shipping_zone z where m.zone_id = z.id and z.handle = ? and m.handle = ?',
    [zoneHandle, handle],
    'run',
  );
  return deleted.affectedRows > 0;
}

/** The handle of the zone shipping to the whole country, if any. */
export async function zoneOfCountry(em: EntityManager, countryCode: string): Promise<string | null> {
  const [row] = await em.execute<Array<{ handle: string }>>(
    `select z.handle from shipping_zone_country c join shipping_zone z on z.id = c.zone_id where c.country_code = ? and c.region_code = ''`,
    [countryCode],
  );
  return row?.handle ?? null;
}

/** A zone of its own for a country no zone ships to as a whole (the deprecated per-country API); delivery untaxed as it was. */
export async function createCountryZone(tx: EntityManager, countryCode: string): Promise<string> {
  await tx.execute(`select pg_advisory_xact_lock(hashtext('shipping_zone'))`);
  const existing = await zoneOfCountry(tx, countryCode);
  if (existing) return existing;
  const lower = countryCode.toLowerCase();
  const handle = (await tx.count(ShippingZoneSchema, { handle: lower })) ? `country-${lower}` : lower;
  const [row] = await tx.execute<Array<{ id: string }>>(
    `insert into shipping_zone (id, handle, name, shipping_tax_basis_points) values (gen_random_uuid(), ?, ?, 0)
     on conflict (handle) do update set updated_at = now() returning id`,
    [handle, countryCode],
  );
  await tx.insert(ShippingZoneCountrySchema, { zone: row!.id, countryCode, regionCode: '' });
  return handle;
}

/** The price and threshold of a zone's `standard` method (created as "Standard" when missing); its other settings stay. */
export async function setStandardRate(tx: EntityManager, zoneHandle: string, price: number, freeOver: number | null): Promise<void> {
  await tx.execute(
    `insert into delivery_method (id, zone_id, handle, title, price, free_over, position)
     select gen_random_uuid(), z.id, 'standard', 'Standard', ?, ?, 0 from shipping_zone z where z.handle = ?
     on conflict (zone_id, handle) do update set price = excluded.price, free_over = excluded.free_over`,
    [price, freeOver, zoneHandle],
  );
}
