/**
 * The payment provider boundary. Only opaque provider tokens (e.g. `tok_visa`) cross it: no card
 * data exists anywhere in the system. Every call carries an idempotency key; a provider answers a
 * repeated key with the first result and charges (or refunds) once, like real providers do.
 */
export interface CaptureRequest {
  /** The order id: one capture per order, however often it is asked for. */
  idempotencyKey: string;
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  token: string;
}

export interface RefundRequest {
  idempotencyKey: string;
  /** The capture being refunded. */
  providerReference: string;
  /** Minor units. */
  amount: number;
}

export type ProviderStatus =
  | { status: 'NOT_FOUND' }
  | { status: 'PENDING' }
  | { status: 'SUCCEEDED'; providerReference: string }
  | { status: 'DECLINED'; code: DeclineCode; reason: string };

export interface PaymentProvider {
  capture(request: CaptureRequest): Promise<{ providerReference: string }>;
  refund(request: RefundRequest): Promise<{ providerReference: string }>;
  status(idempotencyKey: string): Promise<ProviderStatus>;
}

export type DeclineCode = 'DECLINED' | 'INSUFFICIENT_FUNDS';

/** The provider said no; final, never retried. */
export class ProviderDeclined extends Error {
  readonly code: DeclineCode;
  readonly reason: string;
  constructor(code: DeclineCode, reason: string) {
    super(`payment declined: ${reason}`);
    this.name = 'ProviderDeclined';
    this.code = code;
    this.reason = reason;
  }
}

/** No answer in time; the outcome is unknown, so it is retried with the same idempotency key. */
export class ProviderTimeout extends Error {
  constructor(message = 'payment provider timed out') {
    super(message);
    this.name = 'ProviderTimeout';
  }
}

/** The provider failed (5xx-like); retried, and counted by the circuit breaker. */
export class ProviderError extends Error {
  constructor(message = 'payment provider error') {
    super(message);
    this.name = 'ProviderError';
  }
}
