// Builds schema/trusted-documents.json: for every operation in schema/operations/, the exact
// document a client sends (the operation plus the fragments it uses, printed canonically) keyed by
// its SHA-256. The gateway's trusted-documents mode runs only these. Usage: pnpm schema:manifest
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { isEntryPoint } from './compose.ts';
import { repoRoot } from './subgraphs.ts';

export const MANIFEST_FILE = 'schema/trusted-documents.json';

/** The fragments a definition uses, transitively. */
function fragmentsOf(definition: DefinitionNode, all: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): Set<string> {
  visit(definition, {
    FragmentSpread(node) {
      if (seen.has(node.name.value)) return;
      seen.add(node.name.value);
      const fragment = all.get(node.name.value);
      if (fragment) fragmentsOf(fragment, all, seen);
    },
  });
  return seen;
}

export function buildTrustedDocuments(root = repoRoot): Record<string, { name: string; document: string }> {
  const dir = join(root, 'schema/operations');
  const doc = parse(
    readdirSync(dir)
      .filter((f) => f.endsWith('.graphql'))
      .sort()
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n'),
  );
  const fragments = new Map(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const manifest: Record<string, { name: string; document: string }> = {};
  for (const op of doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)) {
    const used = [...fragmentsOf(op, fragments)].sort().map((name) => fragments.get(name)!);
    const document = print({ kind: Kind.DOCUMENT, definitions: [op, ...used] });
    manifest[createHash('sha256').update(document).digest('hex')] = { name: op.name?.value ?? 'anonymous', document };
  }
  return manifest;
}

if (isEntryPoint(import.meta.url)) {
  const manifest = buildTrustedDocuments();
  writeFileSync(join(repoRoot, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(`Wrote ${Object.keys(manifest).length} trusted documents → ${MANIFEST_FILE}\n`);
}
