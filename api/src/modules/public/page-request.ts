// The GET the web app sends for a public page's query (web/src/page-queries.ts through the urql
// client of web/src/client.ts), computed with urql's own functions on the web app's generated
// documents: the first HTML embeds the answer to exactly this request, and the fast path keeps it
// under the same key, so the HTML, the app's later refetches and a CDN all share one answer.
import { createRequest, formatDocument, makeOperation, type AnyVariables, type DocumentInput, type OperationContext } from "@urql/core";
import { makeFetchBody, makeFetchOptions, makeFetchURL } from "@urql/core/internal";
import { IncidentPageDocument, StatusPageDocument } from "../../../../web/src/gql/graphql.ts";
import { PublicResponseCache, type CacheKey } from "./fast-path.ts";

export const PUBLIC_GRAPHQL = "/graphql/public";

export type PageOperation = "StatusPage" | "IncidentPage";

export interface PageRequest {
  operation: PageOperation;
  variables: Record<string, string>;
  /** Path and query string, as the app's urql client builds them. */
  url: string;
  /** The Accept header urql sends with it. */
  accept: string;
  /** The fast path's cache key of this request (PublicResponseCache.keyOf). */
  key: CacheKey;
}

const DOCUMENTS: Record<PageOperation, DocumentInput<unknown, AnyVariables>> = {
  StatusPage: StatusPageDocument,
  IncidentPage: IncidentPageDocument,
};

export function pageRequest(operation: PageOperation, variables: Record<string, string>): PageRequest {
  const request = createRequest(DOCUMENTS[operation], variables);
  // What the client's document cache (urql's cacheExchange) and fetchExchange do to it.
  const context = { url: PUBLIC_GRAPHQL, preferGetMethod: "force", requestPolicy: "cache-and-network", fetchOptions: { cache: "no-cache" } } as OperationContext;
  const op = makeOperation("query", { ...request, query: formatDocument(request.query) }, context);
  const body = makeFetchBody(op);
  const url = makeFetchURL(op, body);
  const headers = makeFetchOptions(op, body).headers as Record<string, string>;
  const accept = headers.accept ?? "application/json";
  return { operation, variables, url, accept, key: PublicResponseCache.keyFor(accept, url) };
}
