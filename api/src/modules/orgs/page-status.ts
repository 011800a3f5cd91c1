import type { ServiceStatus } from "../../generated/prisma/enums.ts";
import type { Prisma } from "../../lib/db.ts";
import type { PageStatusShape } from "../../graphql/refs.ts";
import { INDICATOR_DESCRIPTIONS, pageIndicator } from "../services/domain.ts";

/** The page indicator of an organisation, derived from its live services (never stored twice). */
export async function pageStatusOf(prisma: Prisma, organization: { id: string; createdAt: Date }): Promise<PageStatusShape> {
  const services = await prisma.service.findMany({
    where: { organizationId: organization.id, deletedAt: null },
    select: { status: true, statusSince: true },
  });
  return pageStatusFrom(services, organization);
}

/** The same from services already read (the published page holds them). */
export function pageStatusFrom(services: readonly { status: ServiceStatus; statusSince: Date }[], organization: { createdAt: Date }): PageStatusShape {
  const indicator = pageIndicator(services.map((s) => s.status));
  const updatedAt = services.reduce((latest, s) => (s.statusSince > latest ? s.statusSince : latest), organization.createdAt);
  return { indicator, description: INDICATOR_DESCRIPTIONS[indicator], updatedAt };
}
