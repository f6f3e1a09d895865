import {
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  isBrokenCircuitError,
  isTaskCancelledError,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { ProviderError, ProviderTimeout, type PaymentProvider } from './provider.ts';

/** The circuit is open: the provider was not called at all (fail fast). */
export class ProviderUnavailable extends Error {
  constructor() {
    super('payment provider unavailable (circuit open)');
    this.name = 'ProviderUnavailable';
  }
}

export interface ResilienceOptions {
  /** Upper bound for one provider call. */
  timeoutMs?: number;
  /** Retries after the first attempt, for timeouts and provider errors only. */
  retries?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Consecutive failed attempts that open the circuit. */
  breakerThreshold?: number;
  /** How long the circuit stays open before one trial call is let through. */
  halfOpenAfterMs?: number;
}

/** Worth another try with the same idempotency key; a decline is an answer and never is. */
const transient = (error: unknown) => error instanceof ProviderTimeout || error instanceof ProviderError || isTaskCancelledError(error);

export interface ResilientProvider extends PaymentProvider {
  readonly breaker: CircuitBreakerPolicy;
}

/**
 * Wraps a provider in cockatiel policies: retry (exponential backoff) → circuit breaker →
 * timeout, so every attempt counts towards the breaker and an open breaker is not retried.
 * Errors come out as the provider's typed errors, plus ProviderUnavailable for an open circuit.
 * One breaker per wrapped provider, shared by captures, refunds and status checks.
 */
export function resilientProvider(provider: PaymentProvider, options: ResilienceOptions = {}): ResilientProvider {
  const { timeoutMs = 5_000, retries = 2, initialBackoffMs = 100, maxBackoffMs = 2_000, breakerThreshold = 5, halfOpenAfterMs = 10_000 } = options;
  const retryPolicy = retry(handleWhen(transient), {
    maxAttempts: retries,
    backoff: new ExponentialBackoff({ initialDelay: initialBackoffMs, maxDelay: maxBackoffMs }),
  });
  const breaker = circuitBreaker(handleWhen(transient), { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(breakerThreshold) });
  const policy: IPolicy = wrap(retryPolicy, breaker, timeout(timeoutMs, TimeoutStrategy.Aggressive));

  async function call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await policy.execute(work);
    } catch (error) {
      if (isBrokenCircuitError(error)) throw new ProviderUnavailable();
      if (isTaskCancelledError(error)) throw new ProviderTimeout(`payment provider did not answer within ${timeoutMs} ms`);
      throw error;
    }
  }

  return {
    breaker,
    capture: (request) => call(() => provider.capture(request)),
    refund: (request) => call(() => provider.refund(request)),
    status: (key) => call(() => provider.status(key)),
  };
}
