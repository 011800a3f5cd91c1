// A refused field must never blank the dashboard. When a non-null field is refused (a MEMBER
// asking for an admin-only list, an admin demoted while the page was open), GraphQL nulls its
// nearest nullable ancestor: `organization(slug)` comes back null. Graphcache would write that
// null over the one `Query.organization(slug)` link every dashboard page reads, and the whole
// dashboard would say "not a member" until a reload. Such a result reaches the cache without its
// data (nothing is written); the page that asked still gets the error to show.
import type { OperationResult } from "@urql/core";

type Path = readonly (string | number)[];

/** Whether `path` passes through a null before its last step: a null that came from an error below it. */
export function nulledAbove(data: unknown, path: Path): boolean {
  let node: unknown = data;
  for (let i = 0; i < path.length - 1; i++) {
    if (node === null || typeof node !== "object") return false;
    node = (node as Record<string | number, unknown>)[path[i]!];
    if (node === null) return true;
  }
  return false;
}

/** The result as the cache should see it: without data when an error nulled an ancestor of its field. */
export function withoutPropagatedNulls(result: OperationResult): OperationResult {
  if (result.operation.kind !== "query" || !result.data || !result.error) return result;
  const propagated = result.error.graphQLErrors.some((error) => error.path && nulledAbove(result.data, error.path));
  return propagated ? { ...result, data: undefined } : result;
}

/**
 * Told when the server refuses something for the viewer's role (FORBIDDEN): the dashboard then
 * reloads the viewer's role, so its navigation stops offering what is no longer theirs.
 */
export const roleRefusals = new EventTarget();

export function announceRefusal(result: OperationResult): void {
  if (result.error?.graphQLErrors.some((error) => error.extensions.code === "FORBIDDEN")) roleRefusals.dispatchEvent(new Event("forbidden"));
}
