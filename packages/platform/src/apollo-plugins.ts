import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { clientFacingCode, DEFAULT_RETRY_AFTER_SECONDS, ErrorCode } from './errors.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

/** Times every operation and counts errors by code. */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      const end = metrics.graphqlDuration.startTimer();
      let operation = 'unknown';
      return {
        async didResolveOperation({ operation: op }) {
          operation = op?.operation ?? 'unknown';
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) metrics.graphqlErrors.inc({ code: clientFacingCode(error.extensions?.code, error) });
        },
        async willSendResponse({ errors }) {
          end({ operation, outcome: errors?.length ? 'error' : 'ok' });
        },
      };
    },
  };
}

/** Logs unexpected errors in full (with the request id from the logger mixin) before they are masked. */
export function errorLoggingPlugin(log: Logger): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, operationName }) {
          for (const error of errors) {
            const code = clientFacingCode(error.extensions?.code, error);
            if (code === ErrorCode.SERVICE_UNAVAILABLE && error.extensions?.code !== code) {
              // An outage we detected here (not one a subgraph already reported): worth a warning, not a bug report.
              log.warn(
                { err: error.originalError ?? error, path: error.path, operationName },
                'dependency unavailable; answered SERVICE_UNAVAILABLE',
              );
            } else if (code === ErrorCode.INTERNAL_SERVER_ERROR) {
              log.error({ err: error.originalError ?? error, code, path: error.path, operationName }, 'unexpected GraphQL error');
            }
          }
        },
      };
    },
  };
}

/**
 * An answer that carries SERVICE_UNAVAILABLE tells HTTP clients when to retry (`Retry-After`);
 * when nothing at all could be answered it is a 503, which retry links treat as retryable.
 */
export function retryAfterPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { errors, data } = response.body.singleResult;
          const outages = errors?.filter((e) => e.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE) ?? [];
          if (!outages.length) return;
          const seconds = Math.max(...outages.map((e) => Number(e.extensions?.retryAfter) || DEFAULT_RETRY_AFTER_SECONDS));
          response.http.headers.set('retry-after', String(seconds));
          const nothingAnswered = data == null || Object.values(data).every((value) => value == null);
          if (nothingAnswered && outages.length === errors!.length) response.http.status = 503;
        },
      };
    },
  };
}
