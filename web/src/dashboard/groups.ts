// Service groups as the forms offer them: each once, compared without case like the API does
// (a group typed as "frontend" joins "Frontend"), in the order the services are shown.
export function groupsOf(services: readonly { group?: string | null }[]): string[] {
  const seen = new Map<string, string>();
  for (const { group } of services) {
    if (group && !seen.has(group.trim().toLowerCase())) seen.set(group.trim().toLowerCase(), group);
  }
  return [...seen.values()];
}

/** The existing group a typed name joins, if any. */
export function existingGroup(groups: readonly string[], typed: string): string | undefined {
  const folded = typed.trim().toLowerCase();
  return groups.find((group) => group.trim().toLowerCase() === folded);
}
