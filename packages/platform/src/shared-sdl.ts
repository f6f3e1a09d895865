// The SDL every subgraph shares (Money, PageInfo, UserError, UserErrorCode, the scalars) lives once in
// packages/platform/schema/shared.graphql. A subgraph's SDL is its own schema.graphql plus that file:
// the server, codegen and composition all join them here, so they cannot disagree.
import { readFileSync } from 'node:fs';

export const SHARED_SDL_FILE = new URL('../schema/shared.graphql', import.meta.url);

export interface SdlSource {
  /** Where the text came from, for error locations. */
  name: string;
  body: string;
}

/** A subgraph's SDL as its parts: its own file first (it holds the @link), then the shared types. */
export function subgraphSdlSources(schemaFile: URL | string, sharedFile: URL | string = SHARED_SDL_FILE, names?: [string, string]): SdlSource[] {
  const files = [schemaFile, sharedFile];
  return files.map((file, i) => ({ name: names?.[i] ?? String(file), body: readFileSync(file, 'utf8') }));
}

/** The joined SDL as one text: what the subgraph serves, and what rover composes. */
export function joinSdlSources(sources: SdlSource[]): string {
  return sources.map((source) => `# ── from ${source.name}\n${source.body.trimEnd()}\n`).join('\n');
}
