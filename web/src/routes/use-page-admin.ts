// Whether the visitor of a status page is signed in as one of its organisation's admins (then
// an empty page can link to the dashboard). Asked only when `ask` (the page is empty) and a
// session exists; read in an effect, so a page rendered on the server never depends on it.
import { useEffect, useState } from "react";
import { createAdminClient } from "../client.ts";
import { graphql } from "../gql/index.ts";
import { session } from "../session.ts";

const PAGE_ADMIN = graphql(`query PageAdmin { viewer { id memberships { role organization { id slug } } } }`);

export function useIsPageAdmin(slug: string, ask: boolean): boolean {
  const [isAdmin, setIsAdmin] = useState(false);
  useEffect(() => {
    if (!ask || !session.token) return;
    let current = true;
    void createAdminClient()
      .query(PAGE_ADMIN, {}, { requestPolicy: "network-only" })
      .toPromise()
      .then((result) => {
        const memberships = result.data?.viewer?.memberships ?? [];
        if (current) setIsAdmin(memberships.some((m) => m.role === "ADMIN" && m.organization.slug === slug));
      });
    return () => {
      current = false;
    };
  }, [slug, ask]);
  return isAdmin;
}
