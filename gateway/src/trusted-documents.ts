import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NextFunction, Request, Response } from 'express';

type Manifest = Record<string, { name: string; document: string }>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export const UNTRUSTED_MESSAGE = 'Only trusted documents run here; this operation is not in the list';

/**
 * The manifest built from schema/operations/ by `pnpm schema:manifest`. A client sends the
 * document's SHA-256 (APQ extension) or the exact document; `resolve` answers the trusted text, or
 * undefined for anything not in the list (or a document that does not match its claimed hash).
 */
export function loadTrustedDocuments(manifestPath: string) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  return {
    resolve(query: string | undefined, extensions: Record<string, unknown> | undefined): string | undefined {
      const claimed = (extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
      const actual = query ? sha256(query) : undefined;
      // A sent text must be the listed one; a hash alone names it.
      if (actual && typeof claimed === 'string' && claimed !== actual) return undefined;
      const hash = actual ?? (typeof claimed === 'string' ? claimed : undefined);
      return hash ? manifest[hash]?.document : undefined;
    },
  };
}
export type TrustedDocuments = ReturnType<typeof loadTrustedDocuments>;

/** GET sends `extensions` as JSON text; text that is not JSON names no document. */
function extensionsOf(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== 'string') return raw as Record<string, unknown> | undefined;
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Trusted-documents mode over HTTP: refused before parsing. Runs after the JSON body parser. */
export function trustedDocumentsMiddleware(trusted: TrustedDocuments) {
  return (req: Request, res: Response, next: NextFunction) => {
    const isPost = req.method === 'POST';
    const source = (isPost ? req.body : req.query) as { query?: unknown; extensions?: unknown } | undefined;
    if (!source || (req.method !== 'POST' && req.method !== 'GET')) return next();
    const query = typeof source.query === 'string' ? source.query : undefined;
    const document = trusted.resolve(query, extensionsOf(source.extensions));
    if (!document) {
      res.status(400).json({ errors: [{ message: UNTRUSTED_MESSAGE, extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
      return;
    }
    // Hash-only POSTs get the trusted text (GET bodies are read-only: send the full document there).
    if (isPost && !query) (req.body as { query?: string }).query = document;
    next();
  };
}
