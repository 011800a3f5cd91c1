// The urql clients. The public page talks only to /graphql/public (anonymous, cached per
// document); the dashboard talks to /graphql with the session token and graphcache, whose
// keys and invalidations below keep lists consistent after mutations and live events.
import { cacheExchange as documentCache, Client, fetchExchange, mapExchange, ssrExchange } from "@urql/core";
import { cacheExchange, type UpdateResolver } from "@urql/exchange-graphcache";
import { firstViewState } from "./first-view.ts";
import { announceRefusal, withoutPropagatedNulls } from "./refusals.ts";
import { session } from "./session.ts";

// GET, so the server answers the page from memory (its published page, ETag) and a CDN in
// front can keep it: every viewer's refetch after an event is the same URL (with the event's
// version, `v`: use-public-page.ts). "force": the page query with its fragment is near the
// 2,048 characters past which urql would otherwise switch to POST. The first view's answer
// comes embedded in the page's HTML (first-view.ts): no fetch for it.
export const publicClient = new Client({
  url: "/graphql/public",
  exchanges: [documentCache, ssrExchange({ isClient: true, initialState: firstViewState() }), fetchExchange],
  requestPolicy: "cache-and-network",
  preferGetMethod: "force",
  // The browser revalidates (If-None-Match → 304 from the server's memory) instead of reusing its
  // copy for max-age: after an event the page must show the change, not last second's answer.
  fetchOptions: { cache: "no-cache" },
});

/** Types without an id of their own, embedded in their parent. */
const embedded = ["PageStatus", "StatusSource", "UptimeDay", "AffectedService", "PageInfo", "IncidentConnection", "IncidentEdge", "AuditEntryConnection", "AuditEntryEdge", "Membership", "CreatedApiToken", "CreatedInvitation", "AuthPayload", "PublicOrganization", "StatusPage", "SubscriberConnection", "SubscriberEdge"];

const LIST_CHANGING_MUTATIONS = [
  "createService", "deleteService", "setServiceStatus", "createIncident", "updateIncident", "deleteIncident",
  "scheduleMaintenance", "cancelMaintenance", "inviteMember", "revokeInvitation", "removeMember", "createApiToken", "revokeApiToken", "removeSubscriber",
];

const refetchOrganization: UpdateResolver = (_result, _args, cache) => cache.invalidate("Query", "organization");
/** Leaving also changes the viewer's list of memberships (the home page, the organisation switcher). */
const refetchViewer: UpdateResolver = (result, args, cache, info) => {
  refetchOrganization(result, args, cache, info);
  cache.invalidate("Query", "viewer");
};

export function createAdminClient(): Client {
  return new Client({
    url: "/graphql",
    fetchOptions: () => {
      const authorization = session.authorization;
      return authorization ? { headers: { authorization } } : {};
    },
    requestPolicy: "cache-and-network",
    exchanges: [
      mapExchange({
        onError(error) {
          if (error.graphQLErrors.some((e) => e.extensions.code === "UNAUTHENTICATED") && session.token) {
            session.end("Your session has expired: sign in again.");
          }
        },
      }),
      cacheExchange({
        keys: Object.fromEntries(embedded.map((name) => [name, () => null])),
        // Lists whose membership a mutation changes are refetched rather than patched by hand.
        updates: { Mutation: { ...Object.fromEntries(LIST_CHANGING_MUTATIONS.map((name) => [name, refetchOrganization])), leaveOrganization: refetchViewer } },
      }),
      // Between the network and the cache: a refused field never nulls what other pages show (refusals.ts).
      mapExchange({
        onResult(result) {
          announceRefusal(result);
          return withoutPropagatedNulls(result);
        },
      }),
      fetchExchange,
    ],
  });
}
