/**
 * What every answer to a hostile request must look like: no 5xx, JSON, only client-class error
 * codes, and nothing of the inside (internal URLs, stack traces, SQL). Failures are collected and
 * reported as one table per test instead of thousands of assertion errors.
 */

/** Codes that say "the request was wrong / not allowed", the only ones a client mistake may earn. */
export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_HASH_MISMATCH',
  'PAYLOAD_TOO_LARGE',
  'QUERY_LIMIT_EXCEEDED',
  'RATE_LIMITED',
  'SUBSCRIPTION_LIMIT',
]);

/** Patterns that must never reach a client; tested against each string in the answer. */
const LEAKS: ReadonlyArray<readonly [string, RegExp]> = [
  ['internal URL', /https?:\/\/(127\.0\.0\.1|localhost|\[::1\])|127\.0\.0\.1:\d+|ECONNREFUSED/i],
  ['connection string', /\b(postgres(ql)?|redis|nats):\/\//i],
  ['stack trace', / {4}at |\.ts:/],
  ['SQL text', /\b(select|insert|update|delete)\b.*\b(from|into|set)\b/is],
  ['Postgres message', /syntax error at or near|violates|out of range|invalid input syntax/i],
];

export interface Verdict {
  problems: string[];
  /** The first error's code and message, for the report. */
  code?: string;
  message?: string;
}

export interface Observed {
  status: number;
  contentType: string;
  text: string;
}

/** Internal addresses of this stack (subgraph URLs and ports, database names), matched literally. */
export function internalNeedles(subgraphUrls: Record<string, string>, databases: Record<string, string>): string[] {
  const ports = Object.values(subgraphUrls).map((u) => `:${new URL(u).port}/`);
  return [...Object.values(subgraphUrls), ...ports, ...Object.values(databases)];
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => (out.push(k), strings(v, out)));
  return out;
}

/** Codes about one field's input or access: the answer must say which field (`path`). */
const FIELD_CODES: ReadonlySet<string> = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'NOT_FOUND']);

function errorsOf(payload: unknown): Array<{ message?: unknown; path?: unknown; extensions?: { code?: unknown } }> {
  if (Array.isArray(payload)) return payload;
  const errors = (payload as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) ? errors : [];
}

/** The GraphQL part: error codes and leaks, for an HTTP body or a WebSocket message alike. */
export function inspectPayload(payload: unknown, needles: readonly string[]): Verdict {
  const problems: string[] = [];
  const errors = errorsOf(payload);
  for (const error of errors) {
    const code = error.extensions?.code;
    if (code === undefined) problems.push('error without code');
    else if (!CLIENT_ERROR_CODES.has(String(code))) problems.push(String(code));
    else if (FIELD_CODES.has(String(code)) && !Array.isArray(error.path)) problems.push(`${String(code)} without path`);
  }
  const texts = strings(payload);
  for (const [what, pattern] of LEAKS) if (texts.some((t) => pattern.test(t))) problems.push(what);
  if (texts.some((t) => needles.some((n) => t.includes(n)))) problems.push('internal address');
  const first = errors[0];
  return {
    problems: [...new Set(problems)],
    ...(first ? { code: String(first.extensions?.code ?? '(none)'), message: String(first.message ?? '') } : {}),
  };
}

/** An HTTP answer: below 500, JSON (never an HTML error page), and a clean payload. */
export function inspectHttp(observed: Observed, needles: readonly string[]): Verdict {
  const problems: string[] = [];
  if (observed.status === 0) problems.push('no answer');
  if (observed.status >= 500) problems.push(`HTTP ${observed.status}`);
  if (!/json/i.test(observed.contentType)) problems.push(`content-type ${observed.contentType || '(none)'}`);
  let payload: unknown;
  try {
    payload = JSON.parse(observed.text);
  } catch {
    // Not JSON: still look for leaks in the raw text.
    const raw = inspectPayload(observed.text, needles);
    return { problems: [...problems, 'body not JSON', ...raw.problems], message: observed.text.slice(0, 80) };
  }
  const verdict = inspectPayload(payload, needles);
  return { ...verdict, problems: [...problems, ...verdict.problems] };
}

export interface Failure extends Verdict {
  role: string;
  /** var (variables), inline (literals), ws (graphql-ws), or the request-level case's name. */
  mode: string;
  field: string;
  slot: string;
  kind: string;
  status: number | string;
}

const clip = (text: string | undefined, n: number) => (text ?? '').replace(/\s+/g, ' ').slice(0, n);
/** Same cause: same problems and code, and the message with its quoted values and numbers blanked. */
const causeOf = (f: Failure) =>
  `${f.problems.join(' + ')} | ${f.status} ${f.code ?? ''} | ${clip(f.message, 200)
    .replace(/"[^"]*"|\d+/g, '…')
    .slice(0, 70)}`;

/** One readable report: causes with counts, then the failing cases (the first `limit`). */
export function failureTable(failures: readonly Failure[], limit = 60): string {
  const causes = new Map<string, Failure[]>();
  for (const f of failures) causes.set(causeOf(f), [...(causes.get(causeOf(f)) ?? []), f]);
  const lines = [`${failures.length} failing request(s), ${causes.size} cause(s):`];
  for (const [cause, list] of [...causes].sort((a, b) => b[1].length - a[1].length)) {
    const e = list[0]!;
    lines.push(`  ${String(list.length).padStart(4)} × ${cause}   e.g. ${e.role} ${e.mode} ${e.field}(${e.slot}) ${e.kind}`);
  }
  lines.push('', 'role     | mode   | field(argument)                          | value kind                 | status | code / message');
  const sorted = [...failures].sort((a, b) => causeOf(a).localeCompare(causeOf(b)) || `${a.slot}${a.kind}`.localeCompare(`${b.slot}${b.kind}`));
  for (const f of sorted.slice(0, limit)) {
    lines.push(
      [
        f.role.padEnd(8),
        f.mode.padEnd(6),
        `${f.field}(${f.slot})`.padEnd(40),
        clip(f.kind, 26).padEnd(26),
        String(f.status).padEnd(6),
        `${f.problems.join('+')}: ${f.code ?? ''} ${clip(f.message, 90)}`,
      ].join(' | '),
    );
  }
  if (failures.length > limit) lines.push(`… and ${failures.length - limit} more`);
  return lines.join('\n');
}

/** Runs `work` over `items` with at most `concurrency` in flight (a small, bounded load). */
export async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
