import { allow, deny, rule, shield, type IRules } from 'graphql-shield';
import { applyMiddleware } from 'graphql-middleware';
import type { GraphQLSchema } from 'graphql';
import { ForbiddenError, UnauthenticatedError } from './errors.ts';
import type { Identity } from './auth.ts';

export { allow, deny, rule, and, or, not } from 'graphql-shield';

interface WithIdentity {
  identity: Identity;
}

export const isAuthenticated = rule({ cache: 'contextual' })(async (_parent, _args, ctx: WithIdentity) =>
  ctx.identity.sub ? true : new UnauthenticatedError(),
);

export const isAdmin = rule({ cache: 'contextual' })(async (_parent, _args, ctx: WithIdentity) => {
  if (!ctx.identity.sub) return new UnauthenticatedError();
  return ctx.identity.roles.includes('admin') ? true : new ForbiddenError();
});

/**
 * Wrap a subgraph schema with graphql-shield. Every Mutation field is denied unless the rule tree
 * names it (deny by default); reads fall back to `allow` and are narrowed per field by the tree.
 * Resolver errors pass through unchanged (the gateway masks unexpected ones).
 */
export function protectSchema(schema: GraphQLSchema, rules: IRules): GraphQLSchema {
  const tree = rules as Record<string, unknown>;
  const mutationRules = (tree.Mutation ?? {}) as Record<string, unknown>;
  const withDefaults = schema.getMutationType() ? { ...tree, Mutation: { '*': deny, ...mutationRules } } : tree;
  const permissions = shield(withDefaults as IRules, {
    fallbackRule: allow,
    allowExternalErrors: true,
    fallbackError: () => new ForbiddenError(),
  });
  return applyMiddleware(schema, permissions);
}
