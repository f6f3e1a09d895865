import {
  answerStepRequests,
  CATALOG_STOCK_RESERVE,
  parseEvent,
  transaction,
  type Logger,
  type StockReserveReply,
  type SubgraphDeps,
} from '@shop/platform';
import type { CommandResult, InventoryService } from '../domain/inventory.service.ts';

/** What the order reads from a reservation: RESERVED or REJECTED; anything else sends it down the event path. */
function replyOf(result: CommandResult): StockReserveReply {
  const outcome = result.outcome;
  if (outcome?.status === 'RESERVED') return { status: 'RESERVED' };
  if (outcome?.status === 'REJECTED') return { status: 'REJECTED', shortProducts: outcome.shortProducts };
  // Invalid order id, or an order already settled (released before it was reserved): the event
  // path answers those as it always has.
  return { status: 'UNANSWERED', error: outcome ? `reservation is ${outcome.status}` : 'invalid order id' };
}

/**
 * Answers the order's stock reservation requests (core NATS request-reply, queue group over every
 * catalog process): the same reservation as `order.stock.reserve`, in a transaction of its own
 * without an inbox row (the per-order reservation row makes a repeat answer the first outcome) and
 * without the `inventory.*` answer event (the reply is the answer). A failure of ours is answered
 * UNANSWERED, so the order falls back to the event at once instead of waiting out its timeout.
 */
export function startStockReserveResponder(
  deps: Pick<SubgraphDeps, 'orm' | 'nc'> & { log: Logger; outbox?: SubgraphDeps['outbox'] },
  service: InventoryService,
  subject = CATALOG_STOCK_RESERVE,
): () => Promise<void> {
  const { log } = deps;
  const answer = async (body: unknown): Promise<StockReserveReply> => {
    const request = parseEvent('order.stock.reserve', body);
    if (!request.ok) return { status: 'UNANSWERED', error: 'the request is not a stock reservation' };
    const { orderId, lines } = request.data;
    const result = await transaction(deps.orm.em, ({ em }) => service.reserve(em, orderId, lines, { answer: false }), {
      log,
      outbox: deps.outbox,
    });
    log.info({ subject, orderId, effect: result.effect, status: result.outcome?.status }, 'stock reservation request answered');
    return replyOf(result);
  };
  return answerStepRequests(deps.nc, log, { subject, queue: 'catalog', answer });
}
