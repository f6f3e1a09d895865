import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NextFunction, Request, Response } from 'express';

type Manifest = Record<string, { name: string; document: string }>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function refuse(res: Response, message: string): void {
  res.status(400).json({ errors: [{ message, extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
}

/**
 * Trusted-documents mode: only operations listed in the manifest (built from schema/operations/ by
 * `pnpm schema:manifest`) run. A client sends the document's SHA-256 (APQ extension) or the exact
 * document; anything else is refused before parsing. Runs after the JSON body parser.
 */
export function trustedDocumentsMiddleware(manifestPath: string) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  return (req: Request, res: Response, next: NextFunction) => {
    const isPost = req.method === 'POST';
    const source = (isPost ? req.body : req.query) as { query?: unknown; extensions?: unknown } | undefined;
    if (!source || (req.method !== 'POST' && req.method !== 'GET')) return next();
    const extensions = typeof source.extensions === 'string' ? (JSON.parse(source.extensions) as Record<string, unknown>) : (source.extensions as Record<string, unknown> | undefined);
    const claimed = (extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
    const query = typeof source.query === 'string' ? source.query : undefined;
    const hash = typeof claimed === 'string' ? claimed : query ? sha256(query) : undefined;
    const trusted = hash ? manifest[hash] : undefined;
    if (!trusted || (query && sha256(query) !== hash)) {
      refuse(res, 'Only trusted documents run here; this operation is not in the list');
      return;
    }
    // Hash-only POSTs get the trusted text (GET bodies are read-only: send the full document there).
    if (isPost && !query) (req.body as { query?: string }).query = trusted.document;
    next();
  };
}
