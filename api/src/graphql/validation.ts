// The shapes user input must have, shared by the input types. Errors become BAD_USER_INPUT
// with the field at fault (builder.ts).
import { z } from "zod";

export const name = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");
export const title = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");
export const message = z.string().trim().min(1, "must not be empty").max(5000, "must be at most 5000 characters");
export const description = z.string().trim().max(2000, "must be at most 2000 characters").nullish();
export const group = z.string().trim().max(100, "must be at most 100 characters").nullish();
export const position = z.number().int().min(0, "must be 0 or more").max(100_000, "must be at most 100000").nullish();
export const email = z.string().trim().toLowerCase().pipe(z.email("must be an email address")).pipe(z.string().max(254));
export const password = z.string().min(8, "must be at least 8 characters").max(200, "must be at most 200 characters");
export const id = z.string().min(1, "must not be empty").max(64, "is not an id");
export const ids = z
  .array(id)
  .min(1, "must name at least one")
  .max(100, "must name at most 100")
  .refine((list) => new Set(list).size === list.length, "must not repeat an id");

/** Slugs appear in URLs and host names: lower-case letters, digits and inner hyphens. */
const RESERVED_SLUGS = new Set(["api", "graphql", "status", "org", "login", "signup", "logout", "admin", "www", "assets", "health", "ready", "static"]);
export const slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, "must be 1-48 lower-case letters, digits or inner hyphens")
  .refine((s) => !RESERVED_SLUGS.has(s), "is reserved");

/** Derives a slug from an organisation's name: "Dance Company!" -> "dance-company". */
export function slugify(text: string): string {
  const base = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return base || "org";
}

/** Logging in checks only that something was sent: old passwords may predate today's rules. */
export const loginPassword = z.string().min(1, "must not be empty").max(200, "must be at most 200 characters");

/** A host name such as status.acme.com: lower-case labels, a dot, no scheme, port or path. */
export const hostName = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, "must be at most 253 characters")
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a host name like status.example.com");
