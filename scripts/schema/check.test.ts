import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSchema, diffApiSchemas } from './check.ts';
import { graphql, writeSupergraph } from './compose.ts';
import { readSubgraphs, repoRoot, SHARED_SDL } from './subgraphs.ts';

// The graphql instance the checks use (see compose.ts: vitest would load a second one).
const { buildSchema } = graphql;
const CATALOG = 'subgraphs/catalog/schema.graphql';
// Product.price with its description: used by ProductList.graphql (and ProductPage.graphql); unique in the catalog SDL.
const PRICE_LINE = '  "The lowest price of its variants."\n  price: Money!\n';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of what the checks read: rover.yaml, the subgraph SDL sources, the shared SDL and schema/. */
function copyRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'schema-check-'));
  temps.push(dir);
  cpSync(join(repoRoot, 'rover.yaml'), join(dir, 'rover.yaml'));
  const sources = readSubgraphs(repoRoot).flatMap((subgraph) => subgraph.sources.map((source) => source.name));
  for (const file of new Set(sources)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(dir, file));
  }
  cpSync(join(repoRoot, 'schema'), join(dir, 'schema'), { recursive: true });
  return dir;
}

function removePriceFromCatalog(dir: string): void {
  const path = join(dir, CATALOG);
  const sdl = readFileSync(path, 'utf8');
  expect(sdl.split(PRICE_LINE)).toHaveLength(2); // exactly one occurrence
  const edited = sdl.replace(PRICE_LINE, '');
  expect(edited).not.toContain(PRICE_LINE);
  expect(edited.length).toBe(sdl.length - PRICE_LINE.length);
  writeFileSync(path, edited);
}

describe('checkSchema', () => {
  it('passes on the repository (composition, committed artifact, operations)', async () => {
    const result = await checkSchema({ root: repoRoot, base: false });
    expect(result.problems).toEqual([]);
    expect(result.notes.join('\n')).toMatch(/validated \d+ operation file/);
  });

  it('reports an operation that uses a field removed from a subgraph', async () => {
    const dir = copyRepo();
    removePriceFromCatalog(dir);
    const composed = writeSupergraph(dir);
    expect(composed.ok).toBe(true);

    const { problems } = await checkSchema({ root: dir, base: false });
    const productList = problems.filter((p) => p.includes('schema/operations/ProductList.graphql'));
    expect(productList).toHaveLength(1);
    expect(productList[0]).toMatch(/Cannot query field "price" on type "Product"/);
    // Recomposed, so the artifact is current and the operations are the only problems.
    expect(problems.every((p) => p.startsWith('invalid operation: '))).toBe(true);
  });

  it('reports a stale supergraph artifact', async () => {
    const dir = copyRepo();
    removePriceFromCatalog(dir);
    const { problems } = await checkSchema({ root: dir, base: false });
    expect(problems).toContainEqual(expect.stringMatching(/schema\/supergraph\.graphql differs from a fresh composition.*pnpm schema:compose/));
  });

  it("writes each subgraph's joined SDL (own file + shared types) where rover.yaml points", () => {
    const dir = copyRepo();
    const path = join(dir, SHARED_SDL);
    writeFileSync(path, readFileSync(path, 'utf8').replace('  TOO_LARGE\n', '  TOO_LARGE\n  TOO_SMALL\n'));
    expect(writeSupergraph(dir).ok).toBe(true);
    for (const { file, name } of readSubgraphs(dir)) {
      expect(file).toBe(`schema/subgraphs/${name}.graphql`);
      const joined = readFileSync(join(dir, file), 'utf8');
      expect(joined).toContain(readFileSync(join(dir, `subgraphs/${name}/schema.graphql`), 'utf8').trimEnd());
      expect(joined).toContain('  TOO_SMALL\n');
    }
    expect(readFileSync(join(dir, 'schema/supergraph.graphql'), 'utf8')).toContain('  TOO_SMALL');
  });

  it('reports composition errors with their code', async () => {
    const dir = copyRepo();
    const path = join(dir, SHARED_SDL);
    // Money is in every subgraph (the shared SDL); without @shareable it cannot compose.
    const sdl = readFileSync(path, 'utf8');
    expect(sdl).toContain('type Money @shareable {');
    writeFileSync(path, sdl.replace('type Money @shareable {', 'type Money {'));
    const { problems } = await checkSchema({ root: dir, base: false });
    expect(problems).toContainEqual(expect.stringMatching(/^composition error: INVALID_FIELD_SHARING: /));
  });

  it('reports breaking changes against the merge-base with main', async () => {
    const dir = copyRepo();
    // Scrub hook-provided git variables so git works on the temp repository, not this one.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
        cwd: dir,
        env,
        stdio: 'pipe',
      });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    removePriceFromCatalog(dir);
    writeSupergraph(dir);

    const saved = { ...process.env };
    try {
      for (const key of Object.keys(process.env)) if (key.startsWith('GIT_')) delete process.env[key];
      const { problems } = await checkSchema({ root: dir });
      expect(problems).toContainEqual(
        expect.stringMatching(/^breaking change vs merge-base with main .*Field 'price' was removed from object type 'Product'/),
      );
    } finally {
      Object.assign(process.env, saved);
    }
  });
});

describe('diffApiSchemas', () => {
  const before = buildSchema(`
    type Query { product(id: ID!): Product }
    type Product { id: ID! name: String! price: String! status: Status! }
    enum Status { ACTIVE ARCHIVED }
  `);

  it('reports a removed field as breaking', async () => {
    const after = buildSchema(`
      type Query { product(id: ID!): Product }
      type Product { id: ID! name: String! status: Status! }
      enum Status { ACTIVE ARCHIVED }
    `);
    const { breaking } = await diffApiSchemas(before, after);
    expect(breaking).toHaveLength(1);
    expect(breaking[0]).toMatch(/Field 'price' was removed from object type 'Product'/);
  });

  it('reports an added enum value as dangerous, not breaking', async () => {
    const after = buildSchema(`
      type Query { product(id: ID!): Product }
      type Product { id: ID! name: String! price: String! status: Status! }
      enum Status { ACTIVE ARCHIVED DRAFT }
    `);
    const { breaking, dangerous } = await diffApiSchemas(before, after);
    expect(breaking).toEqual([]);
    expect(dangerous).toContainEqual(expect.stringMatching(/DRAFT/));
  });
});
