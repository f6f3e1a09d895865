import type { Identity } from '@shop/platform';

export interface GatewayContext {
  identity: Identity;
  requestId: string;
}
