import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { amountField, transaction, userError, userErrorsFromZod, type CurrencyCode, type UserError } from '@shop/platform';
import { deleteMethod, deleteZone, listZones, upsertMethod, upsertZone, type ZoneWithDetails } from '../data/delivery.repository.ts';
import type { DeliveryMethod } from '../data/shipping-zone.entity.ts';
import { listTaxRates, upsertCountryTax, upsertRegionTax } from '../data/shipping.repository.ts';
import { countryCodeField } from './cart-address.ts';
import { percentToBasisPoints } from './store-settings.service.ts';

export interface TaxRateModel {
  countryCode: string;
  regionCode: string | null;
  taxBasisPoints: number;
}

const handleField = (label: string) =>
  z
    .string()
    .trim()
    .transform((v) => v.toLowerCase())
    .refine((v) => /^[a-z0-9][a-z0-9-]{0,63}$/.test(v), `${label} must be lower-case letters, digits and "-" (at most 64)`);
const regionField = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .refine((v) => /^[A-Z0-9-]{1,10}$/.test(v), 'A region code is letters, digits or "-" (at most 10), e.g. CA');
const percentField = (label: string) =>
  z.string().transform((v, ctx) => {
    const bp = percentToBasisPoints(v);
    if (bp === null) ctx.addIssue({ code: 'custom', message: `${label} must be a percentage from 0 to 100 with at most two decimals` });
    return bp ?? 0;
  });
const days = z.number().int().min(0, 'Days cannot be negative').max(365, 'At most 365 days').nullish();

const zoneModel = z.object({
  handle: handleField('Handle'),
  name: z.string().trim().min(1, 'Name is required').max(200),
  countries: z
    .array(z.object({ countryCode: countryCodeField, regionCodes: z.array(regionField).max(100).nullish() }))
    .max(250, 'At most 250 countries per zone')
    .superRefine((countries, ctx) => {
      const seen = new Set<string>();
      countries.forEach((c, i) => {
        if (seen.has(c.countryCode)) ctx.addIssue({ code: 'custom', message: `${c.countryCode} is listed twice`, path: [i, 'countryCode'] });
        seen.add(c.countryCode);
      });
    }),
  shippingTaxRate: percentField('Tax on delivery').nullish(),
});

const taxRateModel = z.object({ countryCode: countryCodeField, regionCode: regionField.nullish(), rate: percentField('Tax rate') });

/** Admin data for delivery: shipping zones, their delivery methods, tax rates per country and region. */
export class DeliverySettingsService {
  private readonly em: EntityManager;
  private readonly currency: CurrencyCode;
  constructor(em: EntityManager, currency: CurrencyCode) {
    this.em = em;
    this.currency = currency;
  }

  zones(): Promise<ZoneWithDetails[]> {
    return listZones(this.em);
  }

  taxRates(): Promise<TaxRateModel[]> {
    return listTaxRates(this.em);
  }

  private async zone(handle: string): Promise<ZoneWithDetails | null> {
    return (await listZones(this.em, [handle]))[0] ?? null;
  }

  async upsertZone(input: unknown): Promise<{ shippingZone: ZoneWithDetails | null; userErrors: UserError[] }> {
    const parsed = zoneModel.safeParse(input);
    if (!parsed.success) return { shippingZone: null, userErrors: userErrorsFromZod(parsed.error, ['input']) };
    const zone = parsed.data;
    const members = zone.countries.flatMap((c) =>
      c.regionCodes?.length
        ? [...new Set(c.regionCodes)].map((regionCode) => ({ countryCode: c.countryCode, regionCode }))
        : [{ countryCode: c.countryCode, regionCode: '' }],
    );
    const taken = await transaction(this.em, async ({ em: tx }) => {
      const result = await upsertZone(tx, { handle: zone.handle, name: zone.name, shippingTaxBasisPoints: zone.shippingTaxRate ?? null, members });
      // Another zone holds some of these: roll the whole change back.
      if (result.taken.length) throw new ZoneConflict(result.taken);
      return [];
    }).catch((error: unknown) => {
      if (error instanceof ZoneConflict) return error.taken;
      throw error;
    });
    if (taken.length) {
      const userErrors = taken.map((t) => {
        const index = zone.countries.findIndex((c) => c.countryCode === t.countryCode);
        const where = t.regionCode ? `${t.countryCode}-${t.regionCode}` : t.countryCode;
        return userError('TAKEN', `${where} is already in the zone "${t.zone}"; remove it there first`, ['input', 'countries', String(index)]);
      });
      return { shippingZone: null, userErrors };
    }
    return { shippingZone: await this.zone(zone.handle), userErrors: [] };
  }

  async deleteZone(rawHandle: string): Promise<{ deletedHandle: string | null; userErrors: UserError[] }> {
    const handle = rawHandle.trim().toLowerCase();
    if (!(await deleteZone(this.em, handle)))
      return { deletedHandle: null, userErrors: [userError('NOT_FOUND', `No shipping zone "${handle}"`, ['handle'])] };
    return { deletedHandle: handle, userErrors: [] };
  }

  async upsertMethod(
    input: unknown,
  ): Promise<{ deliveryMethod: DeliveryMethod | null; shippingZone: ZoneWithDetails | null; userErrors: UserError[] }> {
    const model = z
      .object({
        zoneHandle: handleField('Zone handle'),
        handle: handleField('Handle'),
        title: z.string().trim().min(1, 'Title is required').max(200),
        price: amountField(this.currency, 'Price'),
        freeOver: amountField(this.currency, 'Free-over threshold').nullish(),
        minDeliveryDays: days,
        maxDeliveryDays: days,
        pickup: z.boolean().nullish(),
        position: z.number().int().min(0).max(10_000).nullish(),
      })
      .refine((m) => m.minDeliveryDays == null || m.maxDeliveryDays == null || m.maxDeliveryDays >= m.minDeliveryDays, {
        message: 'The maximum days cannot be below the minimum',
        path: ['maxDeliveryDays'],
        // Judged even when another field failed: every problem at once (the days are read as sent).
        when: (payload) => {
          const v = payload.value as { minDeliveryDays?: unknown; maxDeliveryDays?: unknown };
          return typeof v?.minDeliveryDays === 'number' && typeof v.maxDeliveryDays === 'number';
        },
      });
    const parsed = model.safeParse(input);
    if (!parsed.success) return { deliveryMethod: null, shippingZone: null, userErrors: userErrorsFromZod(parsed.error, ['input']) };
    const m = parsed.data;
    const found = await upsertMethod(this.em, m.zoneHandle, {
      handle: m.handle,
      title: m.title,
      price: m.price,
      freeOver: m.freeOver ?? null,
      minDays: m.minDeliveryDays ?? null,
      maxDays: m.maxDeliveryDays ?? null,
      pickup: m.pickup ?? false,
      position: m.position ?? 0,
    });
    if (!found)
      return {
        deliveryMethod: null,
        shippingZone: null,
        userErrors: [userError('NOT_FOUND', `No shipping zone "${m.zoneHandle}"`, ['input', 'zoneHandle'])],
      };
    const zone = await this.zone(m.zoneHandle);
    return { deliveryMethod: zone?.methods.find((d) => d.handle === m.handle) ?? null, shippingZone: zone, userErrors: [] };
  }

  async deleteMethod(zoneHandle: string, handle: string): Promise<{ deletedHandle: string | null; userErrors: UserError[] }> {
    const [zone, method] = [zoneHandle.trim().toLowerCase(), handle.trim().toLowerCase()];
    if (!(await deleteMethod(this.em, zone, method)))
      return { deletedHandle: null, userErrors: [userError('NOT_FOUND', `No delivery method "${method}" in the zone "${zone}"`, ['handle'])] };
    return { deletedHandle: method, userErrors: [] };
  }

  async upsertTaxRate(input: unknown): Promise<{ taxRate: TaxRateModel | null; userErrors: UserError[] }> {
    const parsed = taxRateModel.safeParse(input);
    if (!parsed.success) return { taxRate: null, userErrors: userErrorsFromZod(parsed.error, ['input']) };
    const { countryCode, regionCode, rate } = parsed.data;
    if (regionCode) await upsertRegionTax(this.em, countryCode, regionCode, rate);
    else await upsertCountryTax(this.em, countryCode, rate);
    return { taxRate: { countryCode, regionCode: regionCode ?? null, taxBasisPoints: rate }, userErrors: [] };
  }
}

class ZoneConflict extends Error {
  readonly taken: Array<{ countryCode: string; regionCode: string; zone: string }>;
  constructor(taken: ZoneConflict['taken']) {
    super('zone members taken');
    this.taken = taken;
  }
}
