// Page hosts: a request whose Host is <slug>.<STATUS_BASE_DOMAIN> or an organisation's custom
// domain is served as that page (API.md "Page hosts"): `/` is its status page and the public
// files sit at the root, where Statuspage clients and widgets look for them.
import { isReservedSlug } from "../../graphql/validation.ts";
import type { Prisma } from "../../lib/db.ts";

const CACHE_MS = 5_000;

/** A page host's slug, or null; known at once for most hosts, a promise when the database must be asked. */
export type PageHostResolver = (hostHeader: string | undefined) => string | null | Promise<string | null>;

export function createPageHostResolver(prisma: Prisma, baseDomain: string | undefined): PageHostResolver {
  const base = baseDomain?.toLowerCase().replace(/^\./, "");
  // Custom domains change rarely; a short cache keeps the lookup off the database per request.
  const cache = new Map<string, { slug: string | null; until: number }>();
  const lookup = async (host: string): Promise<string | null> => {
    // customDomain is set only once proven (verifyCustomDomain): a mere claim serves nothing.
    const org = await prisma.organization.findUnique({ where: { customDomain: host }, select: { slug: true } });
    if (cache.size > 10_000) cache.clear(); // hosts are client input: never let the cache grow unbounded
    cache.set(host, { slug: org?.slug ?? null, until: Date.now() + CACHE_MS });
    return org?.slug ?? null;
  };
  return (hostHeader) => {
    const host = (hostHeader ?? "").toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
    if (!host || host === base || host === "localhost" || /^[\d.]+$/.test(host) || host.startsWith("[")) return null;
    if (base && host.endsWith(`.${base}`)) {
      const label = host.slice(0, -base.length - 1);
      // www.<base>, api.<base>… belong to the product, even if an organisation created before
      // the reserved list grew holds such a slug.
      if (/^[a-z0-9-]+$/.test(label)) return isReservedSlug(label) ? null : label;
      // A deeper name (status.acme.<base>) is no slug host; it may be a proven custom domain.
    }
    const cached = cache.get(host);
    if (cached && cached.until > Date.now()) return cached.slug;
    return lookup(host);
  };
}

/** The path on the main host that answers `path` on page `slug`'s host, or null for "the page itself". */
export function pathOnMainHost(path: string, slug: string): string | null {
  if (path === "/" || path === "") return null;
  const file = /^\/api\/v2\/(.+\.json)$/.exec(path);
  if (file) return `/api/v2/${slug}/${file[1]}`;
  if (/^\/(feed\.atom|feed\.rss|badge\.svg)$/.test(path)) return `/status/${slug}${path}`;
  return path;
}
