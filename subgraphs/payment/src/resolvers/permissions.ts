import type { IRules } from 'graphql-shield';
import { isAdmin } from '@shop/platform';

/** Reads are checked per row in the service (owner or admin); every mutation is denied until listed. */
export const permissions: IRules = {
  Mutation: {
    paymentRefund: isAdmin,
  },
};
