import { TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import { ServiceUnavailableError } from '../errors.ts';
import { CATALOG_PRODUCT_LOOKUP, type ProductLookupFailure, type ProductLookupItem, type ProductLookupReply } from './contracts.ts';

const UNREACHABLE = 'The catalog cannot be reached right now; retry shortly';

/**
 * The cart's side of the batched product lookup: one NATS request for a whole batch of ids
 * (put a DataLoader in front of it). When the catalog cannot answer — NATS disconnected, no
 * responder, no answer in time (twice), or the catalog failed to read — it throws ServiceUnavailableError,
 * so callers can tell an outage (fall back, or answer SERVICE_UNAVAILABLE) from a bug. While the
 * connection is down it fails at once instead of waiting out the timeout on every call.
 */
export function createProductLookupClient(nc: NatsConnection, { timeoutMs = 2000, subject = CATALOG_PRODUCT_LOOKUP } = {}) {
  let disconnected = false;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') disconnected = true;
      else if (status.type === 'reconnect') disconnected = false;
    }
  })();

  /**
   * One retry after a timeout: the catalog process the request went to may have died with it (a
   * replica killed, a deploy), and the queue group sends the next request to one that is up. A
   * lookup is a read, so asking twice is harmless; "no responders" fails at once without a retry.
   */
  async function request(ids: readonly string[]) {
    const body = JSON.stringify({ ids });
    try {
      return await nc.request(subject, body, { timeout: timeoutMs });
    } catch (error) {
      if (!(error instanceof TimeoutError || (error as Error).cause instanceof TimeoutError)) throw error;
      return nc.request(subject, body, { timeout: timeoutMs });
    }
  }

  return async function lookup(ids: readonly string[]): Promise<Map<string, ProductLookupItem>> {
    if (disconnected || nc.isClosed()) throw new ServiceUnavailableError(UNREACHABLE);
    let reply: ProductLookupReply | ProductLookupFailure;
    try {
      reply = (await request(ids)).json();
    } catch (error) {
      throw new ServiceUnavailableError(UNREACHABLE, { cause: error });
    }
    if ('error' in reply && reply.unavailable)
      throw new ServiceUnavailableError(UNREACHABLE, { cause: new Error(`catalog lookup failed: ${reply.error}`) });
    if ('error' in reply) throw new Error(`catalog lookup refused: ${reply.error}`);
    return new Map(reply.products.map((p) => [p.id, p]));
  };
}
