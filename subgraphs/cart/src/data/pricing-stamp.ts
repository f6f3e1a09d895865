import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '@shop/platform';

/**
 * A short name for "the promotions and delivery settings as they are now", so a cached cart priced
 * under others is not served (CartPricing.pricingStamp, CartCacheOptions.isFresh). It changes when
 * a promotion is created, updated or archived (count, newest `updated_at`), when any promotion's
 * window opens or closes (how many starts and ends lie in the past), and when a delivery setting
 * changes (zones, methods, tax rates: delivery_settings_version, bumped by triggers). Usage counts
 * are not in it: a promotion used up meanwhile is refused by the checkout's claim, naming it.
 *
 * Polled (one small read per interval and process) rather than asked on every read: a cached read
 * stays one Redis call. An admin change reaches the cached carts of every process within
 * `intervalMs`; the checkout prices from Postgres regardless.
 */
export interface PricingStamp {
  current(): string;
  /** Stops polling; resolves once a read in flight has finished, so the ORM can close after it. */
  close(): Promise<void>;
}

export async function readPricingStamp(em: EntityManager): Promise<string> {
  const [row] = await em.execute<Array<{ n: number; changed: Date | string | null; passed: number; delivery: string | number }>>(
    `select count(*)::int as n, max(updated_at) as changed,
            (count(*) filter (where starts_at <= now()) + count(*) filter (where ends_at <= now()))::int as passed,
            (select version from delivery_settings_version) as delivery
       from promotion`,
  );
  const changed = row?.changed ? new Date(row.changed).getTime() : 0;
  return `${row?.n ?? 0}.${changed}.${row?.passed ?? 0}.d${row?.delivery ?? 0}`;
}

/** Starts polling at once; until the first read answers, the stamp is 'starting' (copies stamped so are replaced after). */
export function startPricingStamp(em: EntityManager, log: Logger, intervalMs = 1000): PricingStamp {
  let stamp = 'starting';
  let failing = false;
  // The read in flight: closing the ORM under it could leave its new connection checked out, and
  // the pool's end() waiting for it forever (seen in a test's teardown).
  let reading: Promise<void> = Promise.resolve();
  const poll = () => {
    reading = readPricingStamp(em.fork()).then(
      (next) => {
        stamp = next;
        failing = false;
      },
      (err: unknown) => {
        // Keep the last stamp: copies stay served as they were; log once per outage.
        if (!failing) log.warn({ err }, 'pricing stamp: could not read promotions and delivery settings; cached carts keep their prices');
        failing = true;
      },
    );
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return {
    current: () => stamp,
    close: () => {
      clearInterval(timer);
      return reading;
    },
  };
}
