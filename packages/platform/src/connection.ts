import { BadUserInputError } from './errors.ts';

export const MAX_PAGE_SIZE = 100;

/** Opaque cursor: base64url of the keyset values of the row it points at. */
export function encodeCursor(values: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** The caller names the tuple it encoded; length and element types are checked at runtime. */
export function decodeCursor<T extends Array<string | number>>(cursor: string, arity: T['length']): T {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity && values.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return values as T;
    }
  } catch {
    // fall through to the error below
  }
  throw new BadUserInputError('Invalid cursor', ['after']);
}

/** `first` defaults and bounds: 1..MAX_PAGE_SIZE, otherwise a clear input error. */
export function pageSize(first: number | null | undefined, fallback: number): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE}`, ['first']);
  }
  return size;
}

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

/**
 * Build a connection from `size + 1` fetched rows (the extra row only tells whether a next page
 * exists) and the total count.
 */
export function toConnection<T>(rows: T[], size: number, totalCount: number, cursorOf: (row: T) => string, hasPrevious: boolean): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage: hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}
