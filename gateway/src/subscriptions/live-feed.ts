import { GraphQLError, type FormattedExecutionResult } from 'graphql';
import { liveUpdateSpan } from '@shop/platform/tracing';
import { VERSION_ALIAS, type LivePlan, type Version } from './live-query.ts';
import { LiveSubscription } from './live-subscription.ts';

/** Runs the plan's query as the subscriber; never throws (failures come back as masked errors). */
export type LiveFetch = () => Promise<FormattedExecutionResult>;

/** Listens to one Redis channel; resolves once Redis has confirmed, with the way to stop. */
export type Listen = (channel: string, onMessage: (message: unknown) => void) => Promise<() => void>;

type Verdict = { accepted: true } | { refused: GraphQLError[] };

const compare = (a: Version, b: Version) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The reads behind every subscription with the same query, variables and token (same answer for
 * all of them): a cart open on three tabs costs one read per change, not three. A change message
 * marks it stale; one read at a time fetches the newest state, so results leave in commit order.
 * A result older than the last one sent (or the same state again) is dropped.
 */
export class LiveFeed {
  readonly ready: Promise<Verdict>;
  closed = false;
  private readonly members = new Set<LiveSubscription>();
  private readonly plan: LivePlan;
  private readonly fetch: LiveFetch;
  private readonly onClose: (feed: LiveFeed) => void;
  private last: { version: Version; json: string; result: FormattedExecutionResult } | undefined;
  private stale = false;
  private fetching: Promise<void> | undefined;
  /** The newest change message's trace context (tracing on): the next read and push continue it. */
  private traceparent: string | undefined;
  private unlisten: (() => void) | undefined;

  constructor(plan: LivePlan, fetch: LiveFetch, listen: Listen, mayWait: () => Promise<boolean>, onClose: (feed: LiveFeed) => void) {
    this.plan = plan;
    this.fetch = fetch;
    this.onClose = onClose;
    this.ready = this.start(listen, mayWait);
  }

  /**
   * Listens first, then reads the current state: a change committed in between is not missed. A
   * state the subscriber may not see (null, like the query would answer) refuses the subscription,
   * unless `mayWait` says the object is announced and will be visible (then nothing is sent yet).
   */
  private async start(listen: Listen, mayWait: () => Promise<boolean>): Promise<Verdict> {
    try {
      this.unlisten = await listen(this.plan.field.channel(this.plan.id), (message) => this.changed(message));
    } catch (error) {
      this.close();
      throw error;
    }
    const first = await this.fetch();
    const object = first.data?.[this.plan.responseKey];
    if (object === null && !first.errors?.length && (await mayWait())) return { accepted: true };
    if (object === null || object === undefined) {
      this.close();
      const errors = first.errors?.length
        ? first.errors.map((e) => new GraphQLError(e.message, { path: e.path ?? [this.plan.responseKey], extensions: e.extensions ?? {} }))
        : [
            new GraphQLError(`No ${this.plan.field.queryField} with this id that you may see`, {
              path: [this.plan.responseKey],
              extensions: { code: 'FORBIDDEN' },
            }),
          ];
      return { refused: errors };
    }
    this.accept(first);
    return { accepted: true };
  }

  /** A new client subscription; its first message is the newest state this feed has. */
  join(): LiveSubscription {
    const member = new LiveSubscription((left) => this.leave(left));
    this.members.add(member);
    if (this.last) member.deliver(this.last.result);
    return member;
  }

  get size(): number {
    return this.members.size;
  }

  private leave(member: LiveSubscription): void {
    this.members.delete(member);
    if (this.members.size === 0) this.close();
  }

  /** A change message arrived (or Redis came back and messages may have been lost). */
  changed(message?: unknown): void {
    if (this.closed) return;
    const version = message === undefined ? undefined : this.plan.field.messageVersion?.(message);
    if (version !== undefined && this.last && compare(version, this.last.version) < 0) return;
    const traceparent = (message as { traceparent?: unknown } | undefined)?.traceparent;
    const answered = message === undefined ? undefined : this.answerFromMessage(message);
    if (answered) {
      // A read in flight may finish later: accept() drops it then as older or the same.
      void liveUpdateSpan(this.plan.field.queryField, typeof traceparent === 'string' ? traceparent : undefined, {}, async () =>
        this.accept(answered),
      );
      return;
    }
    if (typeof traceparent === 'string') this.traceparent = traceparent;
    this.stale = true;
    this.fetching ??= this.refresh().finally(() => (this.fetching = undefined));
  }

  /** The result a change message gives by itself: it carries every field the subscription selected. */
  private answerFromMessage(message: unknown): FormattedExecutionResult | undefined {
    const selection = this.plan.fromMessage;
    const state = selection && this.plan.field.fromMessage?.state(message);
    if (!selection || !state) return undefined;
    const object: Record<string, unknown> = { [VERSION_ALIAS]: state[this.plan.field.versionField] };
    for (const [key, field] of selection)
      object[key] = field === '__typename' ? this.plan.field.typename : field === 'id' ? this.plan.id : state[field];
    return { data: { [this.plan.responseKey]: object } };
  }

  private async refresh(): Promise<void> {
    while (this.stale && !this.closed) {
      this.stale = false;
      const traceparent = this.traceparent;
      this.traceparent = undefined;
      await liveUpdateSpan(this.plan.field.queryField, traceparent, { 'shop.subscribers': this.members.size }, async () =>
        this.accept(await this.fetch()),
      );
    }
  }

  private accept(result: FormattedExecutionResult): void {
    if (this.closed) return;
    const key = this.plan.responseKey;
    const object = result.data?.[key] as Record<string, unknown> | null | undefined;
    if (object === null && !result.errors?.length) {
      // Visible before, not now (e.g. the token lost a role): end every subscription on it.
      const error = new GraphQLError(`This ${this.plan.field.queryField} is no longer visible to you`, {
        path: [key],
        extensions: { code: 'FORBIDDEN' },
      });
      const members = [...this.members];
      this.close();
      members.forEach((member) => member.fail(error));
      return;
    }
    if (!object) {
      // A subgraph failed for this read: tell the clients, keep listening (the next change retries).
      this.members.forEach((member) => member.deliver(result));
      return;
    }
    const { [VERSION_ALIAS]: version, ...visible } = object;
    const json = JSON.stringify(visible);
    const last = this.last;
    if (last && (compare(version as Version, last.version) < 0 || (version === last.version && json === last.json))) return;
    const delivered = { ...result, data: { ...result.data, [key]: visible } };
    this.last = { version: version as Version, json, result: delivered };
    this.members.forEach((member) => member.deliver(delivered));
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unlisten?.();
    this.onClose(this);
  }
}

/** Every feed of one gateway process, by what makes their answers identical. */
export class LiveFeeds {
  private readonly feeds = new Map<string, LiveFeed>();
  private readonly listen: Listen;

  constructor(listen: Listen) {
    this.listen = listen;
  }

  /**
   * Joins the feed for `key` (made with `fetch` if there is none). Rejects when the channel cannot
   * be listened to (Redis down); answers the refusal errors when the subscriber may not see it.
   */
  async subscribe(key: string, plan: LivePlan, fetch: LiveFetch, mayWait: () => Promise<boolean>): Promise<LiveSubscription | GraphQLError[]> {
    // A feed can close between its start and this join (its last member left): then make a new one.
    for (;;) {
      let feed = this.feeds.get(key);
      if (!feed) {
        const made = new LiveFeed(plan, fetch, this.listen, mayWait, (closed) => this.feeds.get(key) === closed && this.feeds.delete(key));
        this.feeds.set(key, made);
        feed = made;
      }
      const verdict = await feed.ready;
      if ('refused' in verdict) return verdict.refused;
      if (!feed.closed) return feed.join();
    }
  }

  /** Redis came back: messages may have been lost meanwhile, so every feed reads again. */
  refreshAll(): void {
    this.feeds.forEach((feed) => feed.changed());
  }

  counts(): { feeds: number; subscriptions: number } {
    let subscriptions = 0;
    this.feeds.forEach((feed) => (subscriptions += feed.size));
    return { feeds: this.feeds.size, subscriptions };
  }
}
