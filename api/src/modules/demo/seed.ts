// Demo data (DEMO): organisations "dance" and "sing" with an admin and a member each
// (password "demo-password"), a few services, one active incident, some history. Created
// once through the real verbs; an organisation or user that already exists is never touched.
import { systemContext, type AppServices } from "../../context.ts";
import type { ServiceStatus } from "../../generated/prisma/enums.ts";
import { hashPassword } from "../../lib/passwords.ts";
import { createIncident } from "../incidents/create-incident.ts";
import { updateIncident } from "../incidents/update-incident.ts";
import { scheduleMaintenance } from "../maintenance/schedule-maintenance.ts";
import { createService } from "../services/create-service.ts";

export const DEMO_PASSWORD = "demo-password";

interface DemoOrg {
  slug: string;
  name: string;
  services: { name: string; group?: string; description?: string }[];
  incident: { service: string; title: string; impact: ServiceStatus; message: string; update?: string };
  resolved?: { service: string; title: string; message: string };
  maintenance?: { service: string; title: string; inHours: number };
}

const ORGS: DemoOrg[] = [
  {
    slug: "dance",
    name: "Dance",
    services: [
      { name: "Website", group: "Frontend", description: "dance.example and the booking pages" },
      { name: "Mobile app", group: "Frontend" },
      { name: "API", group: "Backend", description: "Public REST and GraphQL API" },
      { name: "Payments", group: "Backend" },
      { name: "Database", group: "Backend" },
    ],
    incident: {
      service: "API",
      title: "Elevated API error rates",
      impact: "PARTIAL_OUTAGE",
      message: "Some API requests are failing with 502 errors. We are investigating.",
      update: "A faulty load balancer node has been identified and is being replaced.",
    },
    resolved: { service: "Website", title: "Slow page loads", message: "Pages were loading slowly for some visitors." },
    maintenance: { service: "Database", title: "Database upgrade", inHours: 48 },
  },
  {
    slug: "sing",
    name: "Sing",
    services: [
      { name: "Streaming", description: "Live and on-demand audio" },
      { name: "Lyrics search" },
      { name: "Accounts" },
    ],
    incident: {
      service: "Lyrics search",
      title: "Lyrics search is slow",
      impact: "DEGRADED_PERFORMANCE",
      message: "Searches take longer than usual. We are looking into it.",
    },
  },
];

export async function seedDemo(services: AppServices): Promise<void> {
  const prisma = services.db.prisma;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const demo of ORGS) {
    if (await prisma.organization.findUnique({ where: { slug: demo.slug } })) continue;
    const org = await prisma.$transaction(async (tx) => {
      const org = await tx.organization.create({ data: { slug: demo.slug, name: demo.name } });
      for (const role of ["ADMIN", "MEMBER"] as const) {
        const email = `${role.toLowerCase()}@${demo.slug}.example`;
        const user =
          (await tx.user.findUnique({ where: { email } })) ??
          (await tx.user.create({ data: { email, name: `${demo.name} ${role === "ADMIN" ? "Admin" : "Member"}`, passwordHash, emailVerifiedAt: new Date() } }));
        await tx.membership.create({ data: { organizationId: org.id, userId: user.id, role } });
      }
      return org;
    });
    const ctx = systemContext(services, "demo");
    const ids = new Map<string, string>();
    for (const [position, s] of demo.services.entries()) {
      const service = await createService({ ctx, input: { organizationId: org.id, name: s.name, group: s.group ?? null, description: s.description ?? null, position } });
      ids.set(s.name, service.id);
    }
    const id = (name: string) => ids.get(name)!;
    await backdateHistory(services, org.id, ids);
    if (demo.resolved) {
      const past = await createIncident({
        ctx,
        organizationId: org.id,
        input: { serviceIds: [id(demo.resolved.service)], title: demo.resolved.title, message: demo.resolved.message, impact: "DEGRADED_PERFORMANCE" },
      });
      await updateIncident({ ctx, organizationId: org.id, input: { id: past.id, status: "RESOLVED", message: "Page load times are back to normal." } });
    }
    const incident = await createIncident({
      ctx,
      organizationId: org.id,
      input: { serviceIds: [id(demo.incident.service)], title: demo.incident.title, message: demo.incident.message, impact: demo.incident.impact },
    });
    if (demo.incident.update) {
      await updateIncident({ ctx, organizationId: org.id, input: { id: incident.id, status: "IDENTIFIED", message: demo.incident.update } });
    }
    if (demo.maintenance) {
      const start = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + demo.maintenance.inHours * 3_600_000);
      await scheduleMaintenance({
        ctx,
        input: {
          organizationId: org.id,
          serviceIds: [id(demo.maintenance.service)],
          title: demo.maintenance.title,
          description: "Upgrading to a new major version. Short interruptions are possible.",
          scheduledStart: start,
          scheduledEnd: new Date(start.getTime() + 3_600_000),
        },
      });
    }
    services.log.info({ slug: demo.slug }, "demo organisation created");
  }
}

/** Past outages per demo service: [days ago, hours it lasted, status]. */
const HISTORY: Record<string, [number, number, ServiceStatus][]> = {
  Website: [[41, 3, "DEGRADED_PERFORMANCE"], [9, 1, "PARTIAL_OUTAGE"]],
  API: [[63, 2, "MAJOR_OUTAGE"], [27, 5, "DEGRADED_PERFORMANCE"], [4, 1, "PARTIAL_OUTAGE"]],
  Payments: [[18, 2, "PARTIAL_OUTAGE"]],
  Streaming: [[33, 4, "DEGRADED_PERFORMANCE"], [12, 1, "MAJOR_OUTAGE"]],
};

/**
 * Gives the demo services 100 days of past so the uptime bars have something to show: the
 * services are dated back and past status changes are added to the log. They take the next
 * positions of the log while their occurredAt lies in the past: demo data only.
 */
async function backdateHistory(services: AppServices, organizationId: string, ids: Map<string, string>): Promise<void> {
  const prisma = services.db.prisma;
  const now = Date.now();
  const created = new Date(now - 100 * 86_400_000);
  const changes: { serviceId: string; occurredAt: Date; serviceStatus: ServiceStatus }[] = [...ids.entries()].flatMap(([name, serviceId]) =>
    (HISTORY[name] ?? []).flatMap(([daysAgo, hours, status]) => {
      const start = now - daysAgo * 86_400_000;
      return [
        { serviceId, occurredAt: new Date(start), serviceStatus: status },
        { serviceId, occurredAt: new Date(start + hours * 3_600_000), serviceStatus: "OPERATIONAL" },
      ];
    }),
  );
  await prisma.$transaction(async (tx) => {
    await tx.service.updateMany({ where: { organizationId, id: { in: [...ids.values()] } }, data: { createdAt: created } });
    if (changes.length === 0) return;
    const { eventSeq } = await tx.organization.update({ where: { id: organizationId }, data: { eventSeq: { increment: changes.length } }, select: { eventSeq: true } });
    const first = eventSeq - BigInt(changes.length) + 1n;
    await tx.event.createMany({
      data: changes.map((change, i) => ({ organizationId, position: first + BigInt(i), kind: "SERVICE_STATUS_CHANGED" as const, ...change })),
    });
  });
}
