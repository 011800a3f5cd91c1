// Loading a public page (the status page, an incident's page) and keeping it current:
// - the first view comes embedded in the HTML (first-view.ts): no fetch; the live stream starts
//   after the first answer's cursor, so a change made in between is still delivered;
// - on each event the page is fetched at that event's version (`?v=<cursor>`): a URL a CDN may
//   keep, which the server answers with that version or a later one (docs/adr/0016);
// - a viewer always converges: a fetch that fails (429, a dropped connection, a restart) or that
//   comes back older than the event it was for is tried again with backoff and jitter (0.5 s
//   doubling to 10 s) until one succeeds; meanwhile the last good page stays up, marked as updating.
import { useCallback, useEffect, useRef, useState } from "react";
import { useQuery, type AnyVariables, type TypedDocumentNode } from "urql";
import { firstViewCursor, firstViewUsed, type PageOperation } from "./first-view.ts";
import { useDebounced } from "./hooks.ts";
import { STATUS_PAGE_EVENTS } from "./page-queries.ts";
import { useLive, type UseLive } from "./use-live.ts";

const ENDPOINT = "/graphql/public";

interface PageData {
  statusPage?: { cursor: string } | null;
}

export function usePublicPage<Data extends PageData, Variables extends AnyVariables & { slug: string } & Record<string, unknown>>(
  operation: PageOperation,
  query: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): { data: Data | undefined; error: boolean; invalid: boolean; fetching: boolean; live: UseLive } {
  const [embeddedCursor] = useState(() => firstViewCursor(operation, variables));
  useEffect(() => firstViewUsed, []);
  // The embedded answer is current: "cache-and-network" would fetch it again at once.
  const [result, reexecute] = useQuery<Data, Variables>({ query, variables, requestPolicy: embeddedCursor ? "cache-first" : "cache-and-network" });
  const held = result.data?.statusPage?.cursor ?? null;
  // The stream starts after the cursor of the first answer (embedded, or fetched): it then
  // delivers every later change, so loading and subscribing cannot race.
  const [startCursor, setStartCursor] = useState(embeddedCursor);
  if (startCursor === null && held !== null) setStartCursor(held);
  const heldRef = useRef(held);
  heldRef.current = held;
  /** The newest event's cursor: the version the page must reach. */
  const wanted = useRef<string | null>(null);
  /** The version the last fetch asked for (null: the current one, unversioned). */
  const [asked, setAsked] = useState<string | null>(null);

  const load = useCallback(() => {
    const version = wanted.current !== null && (heldRef.current === null || heldRef.current < wanted.current) ? wanted.current : null;
    setAsked(version);
    reexecute({ requestPolicy: "network-only", url: version ? `${ENDPOINT}?v=${version}` : ENDPOINT });
  }, [reexecute]);
  const refresh = useDebounced(load, 150);
  const unknown = result.data !== undefined && result.data.statusPage === null;
  const live = useLive({
    path: ENDPOINT,
    query: STATUS_PAGE_EVENTS,
    variables: { slug: variables.slug },
    field: "statusPageEvents",
    after: startCursor,
    enabled: startCursor !== null && !unknown,
    onEvent: (event) => {
      if (heldRef.current !== null && event.cursor <= heldRef.current) return; // the page already shows it
      if (wanted.current === null || event.cursor > wanted.current) wanted.current = event.cursor;
      refresh();
    },
    // After a gap the stream replays what it missed, but a page also changes without events
    // (a rename, the day's uptime): reload then. The first opening needs nothing.
    onOpen: (resumed) => {
      if (resumed) refresh();
    },
  });
  const behind = asked !== null && held !== null && held < asked;
  // A refused argument (an incident id that is no id) is refused every time: nothing to retry.
  const invalid = Boolean(result.error?.graphQLErrors.some((e) => e.extensions.code === "BAD_USER_INPUT"));
  useConvergence((Boolean(result.error) && !invalid) || behind, result.fetching, load);
  return { data: result.data, error: Boolean(result.error), invalid, fetching: result.fetching, live };
}

function useConvergence(failing: boolean, fetching: boolean, load: () => void): void {
  const failures = useRef(0);
  const failed = failing && !fetching;
  useEffect(() => {
    if (!failed) {
      if (!fetching) failures.current = 0;
      return;
    }
    const delay = Math.min(10_000, 500 * 2 ** failures.current) * (0.8 + Math.random() * 0.4);
    failures.current += 1;
    const timer = setTimeout(load, delay);
    return () => clearTimeout(timer);
  }, [failed, fetching, load]);
}
