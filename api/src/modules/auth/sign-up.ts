import { actAsNewSession, type Context } from "../../context.ts";
import { conflict } from "../../graphql/errors.ts";
import { isReservedSlug, slugify } from "../../graphql/validation.ts";
import { hashPassword } from "../../lib/passwords.ts";
import { isUniqueViolation } from "../../lib/prisma-errors.ts";
import { startSession } from "./session-store.ts";
import { throttleAuthAttempt } from "./throttle.ts";

export interface SignUpInput {
  email: string;
  password: string;
  name: string;
  organizationName: string;
  organizationSlug?: string | null;
}

/** Creates the user, their organisation and the ADMIN membership in one transaction. */
export async function signUp({ ctx, input }: { ctx: Context; input: SignUpInput }) {
  await throttleAuthAttempt(ctx, input.email);
  const passwordHash = await hashPassword(input.password);
  const prisma = ctx.prisma;
  if (await prisma.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
    throw conflict("An account with this email already exists: sign in instead.", "email");
  }
  const slug = input.organizationSlug ?? (await freeSlug(ctx, slugify(input.organizationName)));
  try {
    const user = await prisma.$transaction(async (tx) => {
      const organization = await tx.organization.create({ data: { slug, name: input.organizationName } });
      const user = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash } });
      await tx.membership.create({ data: { organizationId: organization.id, userId: user.id, role: "ADMIN" } });
      await tx.auditEntry.create({ data: { organizationId: organization.id, action: "organization.create", actor: `user:${user.email}`, targetId: organization.id } });
      return user;
    });
    const token = await startSession(ctx, user.id);
    await actAsNewSession(ctx, token);
    return { token, user };
  } catch (error) {
    const target = isUniqueViolation(error);
    if (target === "email") throw conflict("An account with this email already exists: sign in instead.", "email");
    if (target === "slug") throw conflict(`The page address “${slug}” is taken: choose another.`, "organizationSlug");
    throw error;
  }
}

/**
 * "acme", else "acme-2", "acme-3", … : a derived slug never fails for being taken, and obeys the
 * same reserved list as an explicit one ("www" → "www-2").
 */
async function freeSlug(ctx: Context, base: string): Promise<string> {
  const taken = new Set(
    (await ctx.prisma.organization.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } })).map((o) => o.slug),
  );
  const free = (slug: string) => !taken.has(slug) && !isReservedSlug(slug);
  if (free(base)) return base;
  for (let n = 2; ; n++) if (free(`${base}-${n}`)) return `${base}-${n}`;
}
