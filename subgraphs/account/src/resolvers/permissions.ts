import type { IRules } from 'graphql-shield';
import { allow, isAuthenticated } from '@shop/platform';

/**
 * Deny by default: every mutation is listed. Signing up, in and the emailed links are open; the
 * rest needs a signed-in customer and acts on that customer only (the services take the id from the token).
 */
export const permissions: IRules = {
  Mutation: {
    customerRegister: allow,
    customerLogin: allow,
    customerTokenRefresh: allow,
    customerLogout: allow,
    customerPasswordResetRequest: allow,
    customerPasswordReset: allow,
    customerEmailVerify: allow,
    customerPasswordChange: isAuthenticated,
    customerEmailVerificationResend: isAuthenticated,
    customerUpdate: isAuthenticated,
    customerAddressCreate: isAuthenticated,
    customerAddressUpdate: isAuthenticated,
    customerAddressDelete: isAuthenticated,
    customerDefaultAddressUpdate: isAuthenticated,
    customerOrdersClaim: isAuthenticated,
  },
};
