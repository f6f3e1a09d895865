import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { ServiceUnavailableError } from '@shop/platform';
import { UNTRUSTED_MESSAGE, type TrustedDocuments } from '../trusted-documents.ts';

/** Distinct subscription documents kept parsed and validated (the oldest goes first). */
const DOCUMENT_CACHE_SIZE = 500;

export interface SubscriptionDocumentOptions {
  /** The gateway's current API schema (undefined until the supergraph is loaded). */
  schema: () => GraphQLSchema | undefined;
  /** The same depth and alias limits as HTTP (their errors QUERY_LIMIT_EXCEEDED). */
  validationRules: ValidationRule[];
  maxTokens?: number | undefined;
  trusted?: TrustedDocuments | undefined;
  /** Hides "did you mean" hints that reveal schema names. */
  production: boolean;
}

const withoutHints = (message: string) => message.replace(/ ?Did you mean .*\?$/, '');

/**
 * graphql-ws sends onSubscribe's errors as they are (no formatError): each gets the code HTTP gives
 * the same mistake, or keeps its own (a query limit's), and loses the HTTP status meant for Apollo.
 */
function withCode(error: GraphQLError, code: string, message = error.message): GraphQLError {
  const extensions: Record<string, unknown> = { ...error.extensions };
  delete extensions.http;
  return new GraphQLError(message, {
    ...(error.source && error.positions ? { source: error.source, positions: error.positions } : {}),
    extensions: { ...extensions, code: extensions.code ?? code },
  });
}

/**
 * A subscribe message's document, parsed and validated, or the errors to refuse it with.
 * Once per document text and schema: thousands of subscribers send the same few documents, and
 * each subscription keeps its document for its whole life (one shared copy).
 */
export function subscriptionDocuments(options: SubscriptionDocumentOptions) {
  const checked = new Map<string, { schema: GraphQLSchema; outcome: DocumentNode | GraphQLError[] }>();

  function check(text: string | undefined, schema: GraphQLSchema | undefined): DocumentNode | GraphQLError[] {
    if (!text) {
      return [
        options.trusted
          ? new GraphQLError(UNTRUSTED_MESSAGE, { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } })
          : new GraphQLError('Send the subscription document as `query`', { extensions: { code: 'BAD_REQUEST' } }),
      ];
    }
    if (!schema) return [new ServiceUnavailableError('The supergraph is not loaded yet; retry shortly')];
    let document: DocumentNode;
    try {
      // The token limit too: graphql's parser enforces it, as over HTTP.
      document = parse(text, options.maxTokens ? { maxTokens: options.maxTokens } : {});
    } catch (error) {
      return [withCode(error instanceof GraphQLError ? error : new GraphQLError('Syntax error'), 'GRAPHQL_PARSE_FAILED')];
    }
    const errors = validate(schema, document, [...specifiedRules, ...options.validationRules]);
    if (errors.length > 0) {
      return errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED', options.production ? withoutHints(e.message) : e.message));
    }
    return document;
  }

  return (query: string | undefined, extensions: Record<string, unknown> | undefined): DocumentNode | GraphQLError[] => {
    const text = options.trusted ? options.trusted.resolve(query, extensions) : query;
    const schema = options.schema();
    if (!text || !schema) return check(text, schema);
    const known = checked.get(text);
    if (known?.schema === schema) return known.outcome;
    const outcome = check(text, schema);
    if (checked.size >= DOCUMENT_CACHE_SIZE) checked.delete(checked.keys().next().value!);
    checked.set(text, { schema, outcome });
    return outcome;
  };
}
