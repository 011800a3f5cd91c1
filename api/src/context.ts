// What every resolver receives, for HTTP and WebSocket alike: the app's shared parts plus
// the per-request viewer, access check and loaders.
import type { Logger } from "pino";
import type { Database, Prisma } from "./lib/db.ts";
import { createLoaders, type Loaders } from "./lib/loaders.ts";
import type { EventBus } from "./lib/pubsub.ts";
import type { MutationRunner } from "./lib/tx.ts";
import { Access } from "./modules/auth/access.ts";
import type { Sessions } from "./modules/auth/sessions.ts";
import { ANONYMOUS, resolveViewer, type Viewer } from "./modules/auth/viewer.ts";

/** Built once per process by buildApp. */
export interface AppServices {
  db: Database;
  bus: EventBus;
  sessions: Sessions;
  mutations: MutationRunner;
  log: Logger;
}

export interface Context {
  viewer: Viewer;
  access: Access;
  loaders: Loaders;
  prisma: Prisma;
  services: AppServices;
}

export async function createContext(services: AppServices, authorization: string | null | undefined): Promise<Context> {
  const prisma = services.db.prisma;
  const viewer = await resolveViewer(authorization, {
    prisma,
    sessions: services.sessions,
    onBackgroundError: (error) => services.log.warn({ err: error }, "background write failed"),
  });
  return { viewer, access: new Access(viewer, prisma), loaders: createLoaders(prisma), prisma, services };
}

/** A context for work the server does on its own behalf (audited as system:<name>). */
export function systemContext(services: AppServices, name: string): Context {
  const prisma = services.db.prisma;
  const viewer: Viewer = { kind: "system", name };
  return { viewer, access: new Access(viewer, prisma), loaders: createLoaders(prisma), prisma, services };
}

/** The context of the anonymous public endpoint: whatever token is sent there is ignored. */
export function publicContext(services: AppServices): Context {
  const prisma = services.db.prisma;
  return { viewer: ANONYMOUS, access: new Access(ANONYMOUS, prisma), loaders: createLoaders(prisma), prisma, services };
}

/**
 * After signUp / logIn the rest of that response is read as the user who just authenticated
 * (their memberships, their organisations), as it would be on their next request.
 */
export async function actAsNewSession(ctx: Context, token: string): Promise<void> {
  ctx.viewer = await resolveViewer(`Bearer ${token}`, { prisma: ctx.prisma, sessions: ctx.services.sessions, onBackgroundError: () => {} });
  ctx.access = new Access(ctx.viewer, ctx.prisma);
}
