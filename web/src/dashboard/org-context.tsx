// What every dashboard page knows: the organisation, the viewer's role in it, and a refresh
// counter that the live event stream bumps so that pages reload what they show.
import { createContext, useContext, useEffect } from "react";
import { useQuery, type AnyVariables, type TypedDocumentNode } from "urql";

export interface OrgContextValue {
  id: string;
  slug: string;
  name: string;
  isAdmin: boolean;
  refreshKey: number;
}

export const OrgContext = createContext<OrgContextValue | null>(null);

export function useOrg(): OrgContextValue {
  const value = useContext(OrgContext);
  if (!value) throw new Error("useOrg outside the dashboard");
  return value;
}

/** useQuery that reloads from the network whenever the organisation's event stream moves. */
export function useLiveQuery<Data, Variables extends AnyVariables>(query: TypedDocumentNode<Data, Variables>, variables: Variables) {
  const { refreshKey } = useOrg();
  const [result, reexecute] = useQuery<Data, Variables>({ query, variables });
  useEffect(() => {
    if (refreshKey > 0) reexecute({ requestPolicy: "network-only" });
  }, [refreshKey, reexecute]);
  return [result, reexecute] as const;
}
