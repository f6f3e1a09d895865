/**
 * Hive Gateway's settings for `pnpm bench storefront` (its CLI loads this with `-c`): quiet logs,
 * and the caller's `authorization` header forwarded to every subgraph so signed-in pages work.
 * Everything else is Hive Gateway's defaults.
 */
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  logging: 'error',
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
  },
});
