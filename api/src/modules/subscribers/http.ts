// The two HTTP routes of email subscriptions besides GraphQL:
// - POST /api/subscriptions/unsubscribe?token=<manage token>: RFC 8058's one-click unsubscribe,
//   which mail clients POST (body List-Unsubscribe=One-Click) without showing any page. A GET
//   never unsubscribes (link scanners fetch every URL of a mail): it is 405.
// - GET /api/admin/organizations/<id>/subscribers.csv: the list for an admin (Bearer token, as
//   on /graphql); a member is FORBIDDEN, another organisation (or none) NOT_FOUND, no token
//   UNAUTHENTICATED, each with the HTTP status of its code.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createContext, publicContext, type AppServices } from "../../context.ts";
import { isAppError } from "../../graphql/errors.ts";
import { BODY_LIMITS, jsonError, rateLimited, readBody } from "../../lib/http-guards.ts";
import { subscriberCsvRow, SUBSCRIBER_CSV_HEADER, csvRow } from "./csv.ts";
import { ONE_CLICK_PATH } from "./mail.ts";
import { unsubscribe } from "./unsubscribe.ts";

export { ONE_CLICK_PATH };

const CSV_PATH = /^\/api\/admin\/organizations\/([^/]{1,64})\/subscribers\.csv$/;

/** Whether this module answers the path. */
export function isSubscriptionRoute(path: string): boolean {
  return path === ONE_CLICK_PATH || CSV_PATH.test(path);
}

const STATUS_OF: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400, RATE_LIMITED: 429 };

/** An AppError as the JSON error body of the other HTTP routes; anything else is rethrown (500, logged). */
function answerError(res: ServerResponse, error: unknown): void {
  if (!isAppError(error)) throw error;
  const retryAfter = error.extensions.retryAfter;
  if (error.code === "RATE_LIMITED" && typeof retryAfter === "number") return rateLimited(res, retryAfter);
  jsonError(res, STATUS_OF[error.code] ?? 400, error.message, error.code);
}

export async function serveSubscriptionRoute(req: IncomingMessage, res: ServerResponse, path: string, services: AppServices, ip: string): Promise<void> {
  if (path === ONE_CLICK_PATH) return oneClick(req, res, services, ip);
  const organizationId = decodeURIComponent(CSV_PATH.exec(path)![1]!);
  return subscribersCsv(req, res, services, ip, organizationId);
}

async function oneClick(req: IncomingMessage, res: ServerResponse, services: AppServices, ip: string): Promise<void> {
  if (req.method !== "POST") {
    res.setHeader("allow", "POST");
    return jsonError(res, 405, "Unsubscribing takes a POST (RFC 8058); open the manage link of the mail to do it in the browser.", "BAD_USER_INPUT");
  }
  // The body is List-Unsubscribe=One-Click (form-encoded or multipart); nothing else in it matters.
  if ((await readBody(req, res, BODY_LIMITS.other)) === null) return;
  const token = new URL(req.url ?? "/", "http://localhost").searchParams.get("token") ?? "";
  try {
    await unsubscribe({ ctx: publicContext(services, undefined, ip), token });
  } catch (error) {
    return answerError(res, error);
  }
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  res.end("You are unsubscribed: no more mails will be sent to this address.\n");
}

async function subscribersCsv(req: IncomingMessage, res: ServerResponse, services: AppServices, ip: string, organizationId: string): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    return jsonError(res, 405, "Only GET.", "BAD_USER_INPUT");
  }
  let slug: string;
  try {
    const ctx = await createContext(services, req.headers.authorization, ip);
    await ctx.access.requireAdmin(organizationId);
    ({ slug } = await services.db.prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { slug: true } }));
  } catch (error) {
    return answerError(res, error);
  }
  res.writeHead(200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="${slug}-subscribers.csv"`,
    "cache-control": "no-store",
  });
  if (req.method === "HEAD") return void res.end();
  const { prisma } = services.db;
  const names = new Map((await prisma.service.findMany({ where: { organizationId, deletedAt: null }, select: { id: true, name: true } })).map((s) => [s.id, s.name]));
  res.write(csvRow(SUBSCRIBER_CSV_HEADER));
  // Oldest first, a thousand at a time: a page with many subscribers is never all in memory.
  for (let after: string | undefined; ; ) {
    const batch = await prisma.subscriber.findMany({
      where: { organizationId, ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: "asc" },
      take: 1000,
      select: { id: true, email: true, serviceIds: true, confirmedAt: true, createdAt: true },
    });
    for (const s of batch) {
      const chosen = s.serviceIds.flatMap((id) => names.get(id) ?? []);
      // Chose only services deleted since: it follows nothing, which is not "all".
      const servicesOf = s.serviceIds.length > 0 && chosen.length === 0 ? ["(none left)"] : chosen;
      res.write(subscriberCsvRow({ ...s, services: servicesOf }));
    }
    if (batch.length < 1000) break;
    after = batch[batch.length - 1]!.id;
  }
  res.end();
}
