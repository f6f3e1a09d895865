import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { isPublicErrorCode } from './errors.ts';
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
          for (const error of errors) metrics.graphqlErrors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') });
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
            const code = String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
            if (isPublicErrorCode(code)) continue;
            log.error({ err: error.originalError ?? error, code, path: error.path, operationName }, 'unexpected GraphQL error');
          }
        },
      };
    },
  };
}
