// The shapes user input must have, shared by the input types. Errors become BAD_USER_INPUT
// with the field at fault (builder.ts), in the product's words: "<Label> <rule>." (refusal()),
// or a rule written as a whole sentence (capitalised) as it stands.
import { dictionary as commonPasswordDictionary } from "@zxcvbn-ts/language-common";
import { z } from "zod";

export const name = z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters");
export const title = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");
export const message = z.string().trim().min(1, "must not be empty").max(5000, "must be at most 5000 characters");
export const description = z.string().trim().max(2000, "must be at most 2000 characters").nullish();
export const group = z.string().trim().max(100, "must be at most 100 characters").nullish();
export const position = z.number().int().min(0, "must be 0 or more").max(100_000, "must be at most 100000").nullish();
export const email = z.string().trim().toLowerCase().pipe(z.email("must be an email address")).pipe(z.string().max(254));
/**
 * A new password (sign-up, a new member's initial one): 10 to 200 characters, not only
 * whitespace, and not one of the ~49 000 most common passwords (zxcvbn-ts's list, compared
 * case-insensitively). Logging in checks none of this (loginPassword).
 */
export const password = z
  .string()
  .max(200, "must be at most 200 characters")
  .refine((p) => p.trim().length > 0, "must not be only spaces")
  .refine((p) => p.length >= 10, "must be at least 10 characters")
  .refine((p) => !isCommonPassword(p), "is one of the most common passwords: choose another");

let commonPasswords: Set<string> | undefined;

/** Whether a password is on the common-passwords list (loaded into a Set on first use). */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(commonPasswordDictionary["passwords-common"]);
  return commonPasswords.has(password.toLowerCase()) || commonPasswords.has(password.trim().toLowerCase());
}
export const id = z.string().min(1, "must not be empty").max(64, "is not an id");
export const ids = z
  .array(id)
  .min(1, "Choose at least one service.")
  .max(100, "Choose at most 100 services.")
  .refine((list) => new Set(list).size === list.length, "Choose each service once.");

/**
 * Names a tenant may not take: the app's own paths, and host labels a hosted status page
 * (<slug>.STATUS_BASE_DOMAIN) needs for itself or that would mislead visitors (www, mail, api…).
 */
const RESERVED_SLUGS = new Set([
  // the app's own paths
  "api", "graphql", "status", "org", "login", "signup", "logout", "admin", "assets", "health", "ready", "static",
  "settings", "account", "accounts", "invite", "invitations", "unsubscribe", "subscribe", "feed", "feeds", "badge",
  // host names a service needs
  "www", "app", "dashboard", "console", "docs", "help", "support", "blog", "about", "mail", "email", "smtp", "imap",
  "pop", "pop3", "mx", "webmail", "ftp", "sftp", "ssh", "ns", "ns1", "ns2", "dns", "cdn", "media", "files", "img",
  "images", "ws", "wss", "auth", "oauth", "sso", "id", "identity", "billing", "pay", "payments", "security", "abuse",
  "postmaster", "hostmaster", "webmaster", "autoconfig", "autodiscover", "localhost", "internal", "staging", "dev", "test",
  "demo", "root", "system", "statuspage",
]);

/** Whether a slug is kept for the service (explicit and derived slugs alike). */
export function isReservedSlug(slug: string): boolean {
  return RESERVED_SLUGS.has(slug);
}

/** Slugs appear in URLs and host names: lower-case letters, digits and inner hyphens. */
export const slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, "must be 1-48 lower-case letters, digits or inner hyphens")
  .refine((s) => !RESERVED_SLUGS.has(s), "is kept for the service itself: choose another");

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

/**
 * What people call the fields of the inputs (the forms' labels), for messages. A field not
 * listed is named by its words ("customDomain" → "Custom domain").
 */
const FIELD_LABELS: Record<string, string> = {
  organizationSlug: "Page address",
  slug: "Page address",
  organizationName: "Organisation name",
  serviceIds: "Services",
  scheduledStart: "Start",
  scheduledEnd: "End",
  position: "Order",
  url: "URL",
  kinds: "Events",
  organizationId: "Organisation",
  token: "Link",
};

export function labelOf(field: string): string {
  const label = FIELD_LABELS[field];
  if (label) return label;
  const words = field.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "must not be empty" about `name` → "Name must not be empty."; a whole sentence stays as it is. */
export function refusal(field: string | undefined, rule: string): string {
  if (/^[A-Z]/.test(rule)) return rule;
  const sentence = field ? `${labelOf(field)} ${rule}` : `This ${rule}`;
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
