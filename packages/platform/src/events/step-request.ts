import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import type { Logger } from '../logger.ts';
import { replySpan, requestSpan } from '../tracing/context.ts';

/**
 * A saga step asking another subgraph by core NATS request (the stock reservation, the capture),
 * with an event as the fallback. Every reply has a `status`; `UNANSWERED` (the responder could not
 * decide) and no reply at all both mean "take the event path".
 */
export interface StepReply {
  status: string;
}
export type Unanswered = { status: 'UNANSWERED'; error: string };

/**
 * Asks once: the decided reply, or undefined when there is none (no responder, no reply in time,
 * a reply that does not parse, `UNANSWERED`). Never a retry: the fallback is as good as one, and a
 * retry would hold the caller's transaction longer.
 */
export async function askWithinStep<R extends StepReply>(
  nc: NatsConnection,
  subject: string,
  request: unknown,
  { timeoutMs, reply }: { timeoutMs: number; reply: z.ZodType<R> },
): Promise<Exclude<R, Unanswered> | undefined> {
  if (nc.isClosed()) return undefined;
  try {
    const answer = await requestSpan(subject, (headers) => nc.request(subject, JSON.stringify(request), { timeout: timeoutMs, headers }));
    const parsed = reply.safeParse(answer.json());
    return parsed.success && parsed.data.status !== 'UNANSWERED' ? (parsed.data as Exclude<R, Unanswered>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Answers a step's requests (queue group `queue`: one process of the subgraph takes each). A body
 * that is not JSON, and any failure of `answer`, are replied `UNANSWERED`, so the asking step falls
 * back to its event at once instead of waiting out its timeout. Returns the stop function (drains).
 */
export function answerStepRequests<R extends StepReply>(
  nc: NatsConnection,
  log: Logger,
  { subject, queue, answer }: { subject: string; queue: string; answer: (body: unknown) => Promise<R | Unanswered> },
): () => Promise<void> {
  const reply = async (msg: Msg): Promise<R | Unanswered> => {
    let body: unknown;
    try {
      body = msg.json();
    } catch {
      return { status: 'UNANSWERED', error: 'the request is not JSON' };
    }
    return answer(body);
  };
  const subscription = nc.subscribe(subject, {
    queue,
    callback: (error, msg) => {
      if (error) {
        log.warn({ err: error, subject }, 'step request subscription error');
        return;
      }
      void replySpan(subject, msg.headers, () => reply(msg))
        .catch((failure: unknown): Unanswered => {
          log.error({ err: failure, subject }, 'step request failed');
          return { status: 'UNANSWERED', error: 'the request failed' };
        })
        .then((answered) => msg.respond(JSON.stringify(answered)));
    },
  });
  return async () => {
    await subscription.drain();
  };
}
