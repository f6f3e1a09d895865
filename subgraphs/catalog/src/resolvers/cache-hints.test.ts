import { readFileSync } from 'node:fs';
import { Kind, parse, type ConstDirectiveNode, type ObjectTypeDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { permissions } from './permissions.ts';

// The gateway caches the catalog's entities by their @cacheControl hints and serves them to every
// caller (gateway/src/entity-cache). A field only some callers may read must therefore say so in its
// hint, or one admin's answer would be served to guests.
const sdl = parse(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
const objects = new Map(
  sdl.definitions
    .filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION)
    .map((d) => [d.name.value, d]),
);
const hint = (directives: readonly ConstDirectiveNode[] | undefined) => {
  const directive = directives?.find((d) => d.name.value === 'cacheControl');
  const arg = (name: string) => directive?.arguments?.find((a) => a.name.value === name)?.value;
  const scope = arg('scope');
  const maxAge = arg('maxAge');
  return (
    directive && { scope: scope?.kind === Kind.ENUM ? scope.value : undefined, maxAge: maxAge?.kind === Kind.INT ? Number(maxAge.value) : undefined }
  );
};

/** Fields a permission rule guards (a rule per field, or one for the whole type), outside Query and Mutation. */
function guardedFields(): Array<[string, string]> {
  return Object.entries(permissions).flatMap(([type, rule]) => {
    if (type === 'Query' || type === 'Mutation') return [];
    const fields = objects.get(type)?.fields?.map((f) => f.name.value) ?? [];
    return (typeof rule === 'object' && rule && !('resolve' in rule) ? Object.keys(rule) : fields).map((field) => [type, field] as [string, string]);
  });
}

describe('cache hints and permissions agree', () => {
  it('the entity types the gateway may cache are public and hinted', () => {
    for (const type of ['Product', 'ProductVariant', 'Category'])
      expect(hint(objects.get(type)?.directives), type).toMatchObject({ scope: 'PUBLIC' });
  });

  it('every field a permission rule guards on an object type is hinted PRIVATE or maxAge 0, so the gateway never shares it', () => {
    const unsafe = guardedFields().filter(([type, field]) => {
      const own = hint(objects.get(type)?.fields?.find((f) => f.name.value === field)?.directives);
      return !(own?.scope === 'PRIVATE' || own?.maxAge === 0);
    });
    expect(unsafe).toEqual([]);
  });
});
