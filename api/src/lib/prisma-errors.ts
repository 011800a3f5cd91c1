// Recognises the database errors that are the user's doing (a duplicate), so they become
// CONFLICT instead of INTERNAL.

/** The unique field that was violated ("email", "slug", …), or null for any other error. */
export function isUniqueViolation(error: unknown): string | null {
  const e = error as { code?: string; meta?: { target?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: string[] } } } } };
  if (e?.code !== "P2002") return null;
  const fields = e.meta?.driverAdapterError?.cause?.constraint?.fields ?? (Array.isArray(e.meta?.target) ? (e.meta.target as string[]) : []);
  const field = fields[fields.length - 1];
  return typeof field === "string" ? field.replace(/"/g, "") : "unknown";
}
