// Recognises the database errors that are the user's doing (a duplicate), so they become
// CONFLICT instead of INTERNAL.

interface ConstraintInfo {
  fields?: string[];
  index?: string;
}

/**
 * The unique field that was violated ("email", "slug", …), or null for any other error.
 * The PGlite adapter reports the fields; adapter-pg only names the index
 * ("Organization_slug_key"), from which Prisma's naming convention gives the field back.
 */
export function isUniqueViolation(error: unknown): string | null {
  const e = error as { code?: string; meta?: { target?: unknown; driverAdapterError?: { cause?: { constraint?: ConstraintInfo } } } };
  if (e?.code !== "P2002") return null;
  const constraint = e.meta?.driverAdapterError?.cause?.constraint;
  const fields = constraint?.fields ?? (Array.isArray(e.meta?.target) ? (e.meta.target as string[]) : []);
  const field = fields[fields.length - 1] ?? fieldOfIndex(constraint?.index);
  return typeof field === "string" ? field.replace(/"/g, "") : "unknown";
}

/** "Organization_slug_key" → "slug"; "ApiToken_tokenHash_key" → "tokenHash". */
function fieldOfIndex(index: string | undefined): string | undefined {
  const match = index?.match(/^[^_]+_(.+)_key$/);
  return match?.[1]?.split("_").pop();
}

/**
 * SQLSTATEs with which PostgreSQL refuses a value itself (not a constraint): a NUL or a byte
 * sequence it cannot store, a date or time outside its range. Only a client's input carries
 * such values (validation refuses them first; this is the net under it).
 */
const INPUT_DATA_STATES = new Set(["22021", "22P05", "22007", "22008", "22009"]);

/** True for a database error that refused a value of the request (see INPUT_DATA_STATES). */
export function isInputDataError(error: unknown): boolean {
  const e = error as { meta?: { driverAdapterError?: { cause?: { code?: unknown; originalCode?: unknown } } } } | null;
  const cause = e?.meta?.driverAdapterError?.cause;
  const code = cause?.originalCode ?? cause?.code;
  return typeof code === "string" && INPUT_DATA_STATES.has(code);
}
