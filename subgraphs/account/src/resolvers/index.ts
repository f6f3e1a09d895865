import { DateTime, Decimal, userError } from '@shop/platform';
import type { Resolvers } from '../generated/resolvers-types.ts';
import type { AuthResult } from '../domain/account.service.ts';
import type { AddressResult } from '../domain/address.service.ts';
import type { Context } from '../context.ts';

const authPayload = ({ customer, tokens, userErrors }: AuthResult) => ({ customer, customerAccessToken: tokens, userErrors });
const addressPayload = async ({ address, customerId, userErrors }: AddressResult, ctx: Context) => ({
  address,
  customer: customerId ? await ctx.visibleCustomer.load(customerId) : null,
  userErrors,
});
/** Signed-in mutations act on the caller (permissions.ts guarantees a subject). */
const me = (ctx: Context) => ctx.identity.sub!;

export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  Customer: {
    __resolveReference: (ref, ctx) => ctx.visibleCustomer.load(ref.id),
    addresses: (customer, _args, ctx) => ctx.addressesOf.load(customer.id),
    defaultAddress: async (customer, _args, ctx) =>
      customer.defaultAddressId ? ((await ctx.addressesOf.load(customer.id)).find((a) => a.id === customer.defaultAddressId) ?? null) : null,
  },
  Mutation: {
    customerRegister: async (_root, { input }, ctx) => authPayload(await ctx.accounts.register(input)),
    customerLogin: async (_root, { email, password, guestCartId }, ctx) => {
      if (guestCartId && guestCartId.length > 128)
        return { customer: null, customerAccessToken: null, userErrors: [userError('INVALID', 'Not a cart id.', ['guestCartId'])] };
      return authPayload(await ctx.accounts.login(email, password, ctx.clientAddress, guestCartId ?? null));
    },
    customerTokenRefresh: async (_root, { refreshToken }, ctx) => authPayload(await ctx.accounts.refresh(refreshToken)),
    customerLogout: async (_root, { refreshToken }, ctx) => ({ loggedOut: await ctx.accounts.logout(refreshToken), userErrors: [] }),
    customerPasswordChange: (_root, { currentPassword, newPassword }, ctx) =>
      ctx.accounts.changePassword(me(ctx), ctx.sessionId, ctx.clientAddress, currentPassword, newPassword),
    customerPasswordResetRequest: async (_root, { email }, ctx) => {
      await ctx.accounts.requestPasswordReset(email);
      return { userErrors: [] };
    },
    customerPasswordReset: async (_root, { token, password }, ctx) => authPayload(await ctx.accounts.resetPassword(token, password)),
    customerEmailVerify: (_root, { token }, ctx) => ctx.accounts.verifyEmail(token),
    customerEmailVerificationResend: (_root, _args, ctx) => ctx.accounts.resendVerification(me(ctx)),
    customerUpdate: (_root, { input }, ctx) => ctx.accounts.update(me(ctx), input),
    customerAddressCreate: async (_root, { address, setAsDefault }, ctx) =>
      addressPayload(await ctx.addresses.create(me(ctx), address, setAsDefault ?? false), ctx),
    customerAddressUpdate: async (_root, { id, address }, ctx) => addressPayload(await ctx.addresses.update(me(ctx), id, address), ctx),
    customerAddressDelete: async (_root, { id }, ctx) => addressPayload(await ctx.addresses.delete(me(ctx), id), ctx),
    customerDefaultAddressUpdate: async (_root, { addressId }, ctx) => {
      const result = await ctx.addresses.setDefault(me(ctx), addressId);
      return { customer: result.customerId ? await ctx.visibleCustomer.load(result.customerId) : null, userErrors: result.userErrors };
    },
    customerOrdersClaim: (_root, _args, ctx) => ctx.accounts.claimOrders(me(ctx)),
  },
};
