import { GraphQLError, type FormattedExecutionResult } from 'graphql';
import { VERSION_ALIAS, type LivePlan, type Version } from './live-query.ts';

/** Runs the plan's query as the subscriber; never throws (failures come back as masked errors). */
export type LiveFetch = () => Promise<FormattedExecutionResult>;

/** Listens to one Redis channel; resolves once Redis has confirmed, with the way to stop. */
export type Listen = (channel: string, onMessage: (message: unknown) => void) => Promise<() => void>;

export type LiveStart = { subscription: LiveSubscription } | { refused: GraphQLError[] };

const compare = (a: Version, b: Version) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One client subscription as an async iterator that graphql-ws drains. A change message marks it
 * stale; one fetch at a time reads the newest state, so results leave in commit order. A result
 * older than the last one sent (or the same state again) is dropped, and a slow client only ever
 * holds the newest undelivered result: intermediate states of a burst may be coalesced.
 */
export class LiveSubscription implements AsyncIterableIterator<FormattedExecutionResult> {
  private pending: FormattedExecutionResult | undefined;
  private waiting: { resolve: (result: IteratorResult<FormattedExecutionResult>) => void; reject: (error: GraphQLError) => void } | undefined;
  private failure: GraphQLError | undefined;
  private stale = false;
  private fetching: Promise<void> | undefined;
  private finished = false;
  private last: { version: Version; json: string } | undefined;
  private unlisten: (() => void) | undefined;
  private readonly plan: LivePlan;
  private readonly fetch: LiveFetch;
  private readonly onFinish: (subscription: LiveSubscription) => void;

  private constructor(plan: LivePlan, fetch: LiveFetch, onFinish: (subscription: LiveSubscription) => void) {
    this.plan = plan;
    this.fetch = fetch;
    this.onFinish = onFinish;
  }

  /**
   * Listens first, then reads the current state: a change committed in between is not missed. A
   * state the subscriber may not see (null, like the query would answer) refuses the subscription,
   * unless `mayWait` says the object is announced and will be visible (then nothing is sent yet).
   */
  static async start(
    plan: LivePlan,
    fetch: LiveFetch,
    listen: Listen,
    onFinish: (subscription: LiveSubscription) => void = () => undefined,
    mayWait: () => Promise<boolean> = async () => false,
  ): Promise<LiveStart> {
    const live = new LiveSubscription(plan, fetch, onFinish);
    live.unlisten = await listen(plan.field.channel(plan.id), (message) => live.changed(message));
    const first = await fetch();
    const object = first.data?.[plan.responseKey];
    if (object === null && !first.errors?.length && (await mayWait())) return { subscription: live };
    if (object === null || object === undefined) {
      live.close();
      const errors = first.errors?.length
        ? first.errors.map((e) => new GraphQLError(e.message, { extensions: e.extensions ?? {} }))
        : [new GraphQLError(`No ${plan.field.queryField} with this id that you may see`, { extensions: { code: 'FORBIDDEN' } })];
      return { refused: errors };
    }
    live.accept(first);
    return { subscription: live };
  }

  /** A change message arrived (or Redis came back and messages may have been lost). */
  changed(message?: unknown): void {
    if (this.finished) return;
    const version = message === undefined ? undefined : this.plan.field.messageVersion?.(message);
    if (version !== undefined && this.last && compare(version, this.last.version) < 0) return;
    this.stale = true;
    this.fetching ??= this.refresh().finally(() => (this.fetching = undefined));
  }

  private async refresh(): Promise<void> {
    while (this.stale && !this.finished) {
      this.stale = false;
      this.accept(await this.fetch());
    }
  }

  private accept(result: FormattedExecutionResult): void {
    if (this.finished) return;
    const key = this.plan.responseKey;
    const object = result.data?.[key] as Record<string, unknown> | null | undefined;
    if (object === null && !result.errors?.length) {
      // Visible before, not now (an admin-only state, a token that lost a role...): stop.
      this.fail(new GraphQLError(`This ${this.plan.field.queryField} is no longer visible to you`, { extensions: { code: 'FORBIDDEN' } }));
      return;
    }
    if (!object) {
      // A subgraph failed for this read: tell the client, keep listening (the next change retries).
      this.deliver(result);
      return;
    }
    const { [VERSION_ALIAS]: rawVersion, ...visible } = object;
    const version = rawVersion as Version;
    const json = JSON.stringify(visible);
    if (this.last && (compare(version, this.last.version) < 0 || (version === this.last.version && json === this.last.json))) return;
    this.last = { version, json };
    this.deliver({ ...result, data: { ...result.data, [key]: visible } });
  }

  private deliver(result: FormattedExecutionResult): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting.resolve({ value: result, done: false });
    else this.pending = result;
  }

  /** Ends the subscription with an error message (graphql-ws sends what next() throws). */
  private fail(error: GraphQLError): void {
    this.close();
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting.reject(error);
    else this.failure = error;
  }

  private close(): void {
    if (this.unlisten) this.unlisten();
    this.unlisten = undefined;
    if (!this.finished) this.onFinish(this);
    this.finished = true;
  }

  async next(): Promise<IteratorResult<FormattedExecutionResult>> {
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

  /** The client completed the subscription or the socket closed: release the channel at once. */
  async return(): Promise<IteratorResult<FormattedExecutionResult>> {
    this.close();
    this.pending = undefined;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve({ value: undefined, done: true });
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<FormattedExecutionResult>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
