import type { FormattedExecutionResult, GraphQLError } from 'graphql';

type Step = IteratorResult<FormattedExecutionResult>;

/**
 * One client subscription, as the async iterator graphql-ws drains. Its feed pushes results in;
 * a slow client only ever holds the newest undelivered one. `return()` (the client completed, or
 * the socket closed) leaves the feed at once, even while the client waits for the next result.
 */
export class LiveSubscription implements AsyncIterableIterator<FormattedExecutionResult> {
  private pending: FormattedExecutionResult | undefined;
  private waiting: { resolve: (step: Step) => void; reject: (error: GraphQLError) => void } | undefined;
  private failure: GraphQLError | undefined;
  private finished = false;
  private readonly onLeave: (subscription: LiveSubscription) => void;

  constructor(onLeave: (subscription: LiveSubscription) => void) {
    this.onLeave = onLeave;
  }

  deliver(result: FormattedExecutionResult): void {
    if (this.finished) return;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting.resolve({ value: result, done: false });
    else this.pending = result;
  }

  /** Ends the subscription with an error message (graphql-ws sends what next() throws). */
  fail(error: GraphQLError): void {
    if (this.finished) return;
    this.finished = true;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting.reject(error);
    else this.failure = error;
  }

  async next(): Promise<Step> {
    if (this.pending) {
      const value = this.pending;
      this.pending = undefined;
      return { value, done: false };
    }
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      throw failure;
    }
    if (this.finished) return { value: undefined, done: true };
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  async return(): Promise<Step> {
    if (!this.finished) {
      this.finished = true;
      this.onLeave(this);
    }
    this.pending = undefined;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve({ value: undefined, done: true });
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<Step> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
