import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { allow, isAdmin, protectSchema } from './auth-rules.ts';
import { GUEST, type Identity } from './auth.ts';

const typeDefs = parse(`
  type Thing @key(fields: "id") { id: ID! secret: String }
  type Query { listed: String adminOnly: String forgotten: String }
  type Mutation { listedWrite: String forgottenWrite: String }
`);
const resolvers = {
  Thing: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, secret: 's' }) },
  Query: { listed: () => 'ok', adminOnly: () => 'ok', forgotten: () => 'leaked' },
  Mutation: { listedWrite: () => 'ok', forgottenWrite: () => 'written' },
};
const schema = protectSchema(buildSubgraphSchema([{ typeDefs, resolvers }]), {
  Query: { listed: allow, adminOnly: isAdmin },
  Mutation: { listedWrite: allow },
});
const ADMIN: Identity = { sub: 'a', roles: ['admin'], token: null };
const run = async (query: string, identity: Identity = GUEST) => execute({ schema, document: parse(query), contextValue: { identity } });

describe('protectSchema: deny by default', () => {
  it('refuses a root field the rules do not name, for reads as for writes, admins included', async () => {
    for (const query of ['{ forgotten }', 'mutation { forgottenWrite }']) {
      const result = await run(query, ADMIN);
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(JSON.stringify(result.data)).not.toMatch(/leaked|written/);
    }
  });

  it('runs the named rules', async () => {
    expect((await run('{ listed }')).data).toEqual({ listed: 'ok' });
    expect((await run('mutation { listedWrite }')).data).toEqual({ listedWrite: 'ok' });
    expect((await run('{ adminOnly }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await run('{ adminOnly }', ADMIN)).data).toEqual({ adminOnly: 'ok' });
  });

  it("leaves federation's _entities and _service to the gateway (entities check themselves)", async () => {
    const entities = await run('{ _entities(representations: [{ __typename: "Thing", id: "1" }]) { ... on Thing { id } } }');
    expect(entities.errors).toBeUndefined();
    expect((await run('{ _service { sdl } }')).errors).toBeUndefined();
  });
});
