import type { IRules } from 'graphql-shield';
import { allow, isAdmin, isAuthenticated } from '@shop/platform';

/**
 * Order lists need a signed-in caller; whose order it is gets checked per row in the service
 * (owner or admin). Cancel is open to owners (checked on the locked row); ship and deliver are
 * admin-only. Every other mutation is denied.
 */
export const permissions: IRules = {
  Query: {
    // An order is checked against the caller (owner, admin, its access token) in the service.
    order: allow,
    orderByNumber: allow,
    orders: isAuthenticated,
  },
  Mutation: {
    orderCancel: isAuthenticated,
    orderShip: isAdmin,
    orderDeliver: isAdmin,
  },
};
