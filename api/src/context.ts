// What every resolver receives, for HTTP and WebSocket alike: the app's shared parts plus
// the per-request viewer, access check and loaders.
import type { Logger } from "pino";
import type { Database, Prisma } from "./lib/db.ts";
import { createLoaders, type Loaders } from "./lib/loaders.ts";
import type { EventBus } from "./lib/pubsub.ts";
import type { Mailer } from "./lib/mailer.ts";
import type { Limiters } from "./lib/ratelimit.ts";
import type { CustomDomains } from "./modules/orgs/custom-domain.ts";
import type { EventHub } from "./modules/events/hub.ts";
import type { PublishedPages, Snapshot } from "./modules/public/published-pages.ts";
import type { PublicResponseCache } from "./modules/public/fast-path.ts";
import type { MutationRunner } from "./lib/tx.ts";
import type { WebhookSettings } from "./modules/webhooks/deliver.ts";
import type { NotificationDispatcher } from "./modules/notifications/dispatcher.ts";
import type { SubscriptionTokens } from "./modules/subscribers/tokens.ts";
import type { Role } from "./generated/prisma/enums.ts";
import { Access } from "./modules/auth/access.ts";
import type { Authority, Watched } from "./modules/auth/authority.ts";
import type { Sessions } from "./modules/auth/sessions.ts";
import { ANONYMOUS, resolveRequestViewer, resolveViewer, type Viewer } from "./modules/auth/viewer.ts";

/** Built once per process by buildApp. */
export interface AppServices {
  db: Database;
  bus: EventBus;
  sessions: Sessions;
  mutations: MutationRunner;
  hub: EventHub;
  /** Watches open connections and closes them when their authority is taken away. */
  authority: Authority;
  limiters: Limiters;
  log: Logger;
  /** Outgoing mail (logged when SMTP_URL is unset). */
  mailer: Mailer;
  /** Where people reach the app, for links in mails: PUBLIC_URL, else http://localhost:<port>. */
  publicUrl(): string;
  /** Proof of custom domains (CUSTOM_DOMAIN_CHECK_PORT, DNS): modules/orgs/custom-domain.ts. */
  customDomains: CustomDomains;
  /** The published page of each organisation being read (modules/public/published-pages.ts). */
  pages: PublishedPages;
  /** Serialised answers of public GraphQL GETs (modules/public/fast-path.ts). */
  answers: PublicResponseCache;
  /** The delivery pipeline of notifications (modules/notifications/dispatcher.ts) and webhooks' timing. */
  webhooks: { settings: WebhookSettings; dispatcher: NotificationDispatcher };
  /** Signs and checks the links of subscription mails (modules/subscribers/tokens.ts). */
  subscriptionTokens: SubscriptionTokens;
}

/** What one execution read of the published pages: its answer may be cached while they stay current. */
export interface PublishedReads {
  snapshots: Snapshot[];
  /** It also read something without a version (an unknown slug): never cache it. */
  unversioned: boolean;
}

/** What a subscription may ask of the connection it runs on (WebSocket only). */
export interface Transport {
  /** Closes the connection of a subscriber that fell too far behind (client reconnects and resumes). */
  dropSlowSubscriber(): void;
  /** The connection as the Authority watches it (signed-in sockets). */
  watched?: Watched;
  /**
   * Sends this subscription a `next` message whose payload is already JSON (shared by every
   * subscriber of the event and selection: graphql/shared-execution.ts); only the operation's id
   * is added. Returns a promise when the connection is backed up, to be awaited before the next.
   */
  sendNext?: (payload: Buffer) => Promise<void> | undefined;
  /** Set once a subscription sends through sendNext: it no longer needs its operation's context. */
  framed?: boolean;
}

export interface Context {
  viewer: Viewer;
  access: Access;
  loaders: Loaders;
  prisma: Prisma;
  services: AppServices;
  transport?: Transport | undefined;
  /** The caller's address (throttling of sign-in); null for the server's own work. */
  clientIp: string | null;
  /** Set on public GETs that may be cached: Query.statusPage records what it read here. */
  published?: PublishedReads | undefined;
  /** The instant the page being resolved shows (its snapshot's time bucket); uptime is computed as of it. */
  asOf?: Date | undefined;
}

/** A context for one operation of `viewer` (fresh loaders: nothing cached across operations). */
export function contextFor(services: AppServices, viewer: Viewer, transport?: Transport, clientIp: string | null = null, roles: ReadonlyMap<string, Role> | null = null): Context {
  const prisma = services.db.prisma;
  return { viewer, access: new Access(viewer, prisma, roles), loaders: createLoaders(prisma), prisma, services, transport, clientIp };
}

/** Who is calling, from an Authorization header or graphql-ws connectionParams.authorization. */
export function viewerOf(services: AppServices, authorization: string | null | undefined): Promise<Viewer> {
  return resolveViewer(authorization, viewerDeps(services));
}

function viewerDeps(services: AppServices) {
  return {
    prisma: services.db.prisma,
    sessions: services.sessions,
    onBackgroundError: (error: unknown) => services.log.warn({ err: error }, "background write failed"),
  };
}

/** The context of one HTTP request: the signed-in user's roles come with their session (one statement). */
export async function createContext(services: AppServices, authorization: string | null | undefined, clientIp: string | null = null): Promise<Context> {
  const { viewer, roles } = await resolveRequestViewer(authorization, viewerDeps(services));
  return contextFor(services, viewer, undefined, clientIp, roles);
}

/** A context for work the server does on its own behalf (audited as system:<name>). */
export function systemContext(services: AppServices, name: string): Context {
  return contextFor(services, { kind: "system", name });
}

/** The context of the anonymous public endpoint: whatever token is sent there is ignored. */
export function publicContext(services: AppServices, transport?: Transport, clientIp: string | null = null): Context {
  return contextFor(services, ANONYMOUS, transport, clientIp);
}

/**
 * After signUp / logIn the rest of that response is read as the user who just authenticated
 * (their memberships, their organisations), as it would be on their next request.
 */
export async function actAsNewSession(ctx: Context, token: string): Promise<void> {
  ctx.viewer = await resolveViewer(`Bearer ${token}`, { prisma: ctx.prisma, sessions: ctx.services.sessions, onBackgroundError: () => {} });
  ctx.access = new Access(ctx.viewer, ctx.prisma);
}
