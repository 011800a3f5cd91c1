// The first view of a public page: the server's first HTML carries the answer to the page's own
// query (api/src/modules/public/page-html.ts), in a JSON data block the app reads here. urql's
// ssrExchange (web/src/client.ts) hands it to the page's useQuery, so the first view fetches
// nothing; the live subscription then starts after the cursor of that answer, missing nothing.
import { createRequest, type SSRData } from "@urql/core";
import { INCIDENT_PAGE, STATUS_PAGE } from "./page-queries.ts";

export type PageOperation = "StatusPage" | "IncidentPage";

interface Embedded {
  operation: PageOperation;
  variables: Record<string, string>;
  result: { data?: { statusPage?: { cursor?: string } | null } | null };
}

const DOCUMENTS = { StatusPage: STATUS_PAGE, IncidentPage: INCIDENT_PAGE } as const;

function read(): Embedded | null {
  const text = typeof document === "undefined" ? null : document.getElementById("statuspage-state")?.textContent;
  if (!text) return null;
  try {
    const embedded = JSON.parse(text) as Embedded;
    return embedded.operation in DOCUMENTS && embedded.result?.data !== undefined ? embedded : null;
  } catch {
    return null; // then the page loads as it would without it
  }
}

const embedded = read();
let used = false;

/** For the public client's ssrExchange: the embedded answer under its operation's key. */
export function firstViewState(): SSRData {
  if (!embedded) return {};
  const { key } = createRequest(DOCUMENTS[embedded.operation] as typeof STATUS_PAGE, embedded.variables as { slug: string });
  return { [key]: { data: JSON.stringify(embedded.result.data), hasNext: false } };
}

const sameVariables = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([name, value]) => b[name] === value);

/**
 * The cursor of the embedded answer when it is this page's and not yet used (a later visit of the
 * same page inside the app loads it afresh), else null.
 */
export function firstViewCursor(operation: PageOperation, variables: Record<string, unknown>): string | null {
  if (used || !embedded || embedded.operation !== operation || !sameVariables(embedded.variables, variables)) return null;
  return embedded.result.data?.statusPage?.cursor ?? null;
}

/** The page that showed the first view is gone: the embedded answer is history. */
export function firstViewUsed(): void {
  used = true;
}
