// What a notification says, without I/O: the JSON body of our own format (API.md "Webhooks"),
// and the readable messages of Slack's and Discord's incoming webhooks, all from one payload.
// An email subscriber's mail will be rendered from the same payload (docs/adr/0020).
import type { IncidentStatus, MaintenanceStatus, ServiceStatus, StatusEventKind } from "../../generated/prisma/enums.ts";

/** An object the event is about that has since been deleted: only its id is told (docs/adr/0011). */
export interface Gone {
  id: string;
  deleted: true;
}

export interface ServicePayload {
  id: string;
  name: string;
  status: ServiceStatus;
  group: string | null;
}

export interface IncidentPayload {
  id: string;
  title: string;
  status: IncidentStatus;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  /** The incident's page: ${PUBLIC_URL}/status/<slug>/incidents/<id>. */
  url: string;
  affectedServices: { id: string; name: string; status: ServiceStatus }[];
  latestUpdate: { status: IncidentStatus; message: string; createdAt: string } | null;
}

export interface MaintenancePayload {
  id: string;
  title: string;
  description: string | null;
  status: MaintenanceStatus;
  scheduledStart: string;
  scheduledEnd: string;
  url: string;
  services: { id: string; name: string }[];
}

/** "TEST": sendTestWebhook's notification, which is no event of the log. */
export type NotificationKind = StatusEventKind | "TEST";

/** The JSON body as sent (format JSON), and what the other formats are made from. */
export interface NotificationPayload {
  cursor: string;
  kind: NotificationKind;
  occurredAt: string;
  organization: { slug: string; name: string; url: string };
  serviceStatus?: ServiceStatus;
  service?: ServicePayload | Gone;
  incident?: IncidentPayload | Gone;
  maintenance?: MaintenancePayload | Gone;
}

const isGone = <T extends object>(value: T | Gone | undefined): value is Gone => Boolean(value && "deleted" in value);
const present = <T extends object>(value: T | Gone | undefined): T | undefined => (value && !isGone(value) ? value : undefined);

const words = (value: string) => value.charAt(0) + value.slice(1).toLowerCase().replaceAll("_", " ");

/** The message of any format, before it is put into that format's markup. */
export interface Summary {
  /** One line: what happened to what. */
  headline: string;
  /** Where to read more: the incident's page, else the status page. */
  url: string;
  /** Label/value pairs: status, affected services, schedule. */
  fields: [string, string][];
  /** The latest update's message, a maintenance's description. */
  body: string | null;
  /** green, yellow, orange, red, blue, grey: the worst thing the message tells. */
  tone: "good" | "minor" | "major" | "critical" | "maintenance" | "neutral";
}

const SERVICE_TONE: Record<ServiceStatus, Summary["tone"]> = {
  OPERATIONAL: "good",
  DEGRADED_PERFORMANCE: "minor",
  PARTIAL_OUTAGE: "major",
  MAJOR_OUTAGE: "critical",
  UNDER_MAINTENANCE: "maintenance",
};

const SERVICE_RANK: ServiceStatus[] = ["OPERATIONAL", "UNDER_MAINTENANCE", "DEGRADED_PERFORMANCE", "PARTIAL_OUTAGE", "MAJOR_OUTAGE"];

const INCIDENT_HEADLINE: Partial<Record<NotificationKind, string>> = {
  INCIDENT_CREATED: "New incident",
  INCIDENT_UPDATED: "Incident updated",
  INCIDENT_RESOLVED: "Incident resolved",
  INCIDENT_DELETED: "Incident removed",
};
const MAINTENANCE_HEADLINE: Partial<Record<NotificationKind, string>> = {
  MAINTENANCE_SCHEDULED: "Maintenance scheduled",
  MAINTENANCE_UPDATED: "Maintenance updated",
  MAINTENANCE_STARTED: "Maintenance in progress",
  MAINTENANCE_COMPLETED: "Maintenance completed",
  MAINTENANCE_CANCELLED: "Maintenance cancelled",
};
const SERVICE_HEADLINE: Partial<Record<NotificationKind, string>> = {
  SERVICE_CREATED: "Service added",
  SERVICE_UPDATED: "Service updated",
  SERVICE_STATUS_CHANGED: "Service status changed",
  SERVICE_DELETED: "Service removed",
};

export function summarise(p: NotificationPayload): Summary {
  const page = p.organization;
  if (p.kind === "TEST") {
    return { headline: `Test notification from the ${page.name} status page`, url: page.url, fields: [], body: "Webhook deliveries to this address work.", tone: "neutral" };
  }
  const incident = present(p.incident);
  if (INCIDENT_HEADLINE[p.kind]) {
    const headline = `${INCIDENT_HEADLINE[p.kind]}: ${incident?.title ?? "an incident"}`;
    if (!incident) return { headline, url: page.url, fields: [], body: null, tone: "neutral" };
    const worst = incident.affectedServices.map((s) => s.status).sort((a, b) => SERVICE_RANK.indexOf(b) - SERVICE_RANK.indexOf(a))[0];
    const fields: [string, string][] = [["Status", words(incident.status)]];
    if (incident.affectedServices.length > 0) fields.push(["Affected services", incident.affectedServices.map((s) => `${s.name} (${words(s.status).toLowerCase()})`).join(", ")]);
    const tone = incident.status === "RESOLVED" ? "good" : worst ? SERVICE_TONE[worst] : "major";
    return { headline, url: incident.url, fields, body: incident.latestUpdate?.message ?? null, tone };
  }
  const maintenance = present(p.maintenance);
  if (MAINTENANCE_HEADLINE[p.kind]) {
    const headline = `${MAINTENANCE_HEADLINE[p.kind]}: ${maintenance?.title ?? "a maintenance window"}`;
    if (!maintenance) return { headline, url: page.url, fields: [], body: null, tone: "neutral" };
    const fields: [string, string][] = [
      ["Status", words(maintenance.status)],
      ["Scheduled", `${maintenance.scheduledStart} – ${maintenance.scheduledEnd}`],
    ];
    if (maintenance.services.length > 0) fields.push(["Affected services", maintenance.services.map((s) => s.name).join(", ")]);
    return { headline, url: maintenance.url, fields, body: maintenance.description, tone: "maintenance" };
  }
  const service = present(p.service);
  const headline = `${SERVICE_HEADLINE[p.kind] ?? words(p.kind)}: ${service?.name ?? "a service"}`;
  if (!service) return { headline, url: page.url, fields: [], body: null, tone: "neutral" };
  const status = p.serviceStatus ?? service.status;
  return { headline, url: page.url, fields: [["Status", words(status)]], body: null, tone: SERVICE_TONE[status] };
}

// ---- Slack: https://api.slack.com/messaging/webhooks (text is the notification's fallback) ----

/** Slack's mrkdwn treats only &, < and > specially in text it should not link. */
const slackEscape = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

export function slackMessage(p: NotificationPayload): { text: string; blocks: unknown[] } {
  const s = summarise(p);
  const page = slackEscape(p.organization.name);
  const lines = [
    `*<${s.url}|${slackEscape(s.headline)}>*`,
    ...s.fields.map(([label, value]) => `*${slackEscape(label)}:* ${slackEscape(value)}`),
    ...(s.body ? [`>${slackEscape(s.body).replaceAll("\n", "\n>")}`] : []),
  ];
  return {
    text: `[${page}] ${slackEscape(s.headline)}${s.fields[0] ? ` — ${slackEscape(s.fields[0][1])}` : ""}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: lines.join("\n").slice(0, 3000) } },
      { type: "context", elements: [{ type: "mrkdwn", text: `<${p.organization.url}|${page} status page>` }] },
    ],
  };
}

// ---- Discord: https://discord.com/developers/docs/resources/webhook#execute-webhook ----

const DISCORD_COLOUR: Record<Summary["tone"], number> = {
  good: 0x2e7d32,
  minor: 0xf9a825,
  major: 0xef6c00,
  critical: 0xc62828,
  maintenance: 0x1565c0,
  neutral: 0x607d8b,
};

/** Discord's markdown: escape what would format, so a title like "*nix_box" reads as typed. */
const discordEscape = (text: string) => text.replace(/([\\*_~`|>#[\]()-])/g, "\\$1");

export function discordMessage(p: NotificationPayload): { content: string; embeds: unknown[]; allowed_mentions: { parse: never[] } } {
  const s = summarise(p);
  return {
    content: `**${discordEscape(p.organization.name)}**: ${discordEscape(s.headline)}`.slice(0, 2000),
    embeds: [
      {
        title: s.headline.slice(0, 256),
        url: s.url,
        description: s.body ? discordEscape(s.body).slice(0, 4096) : undefined,
        color: DISCORD_COLOUR[s.tone],
        fields: s.fields.map(([name, value]) => ({ name: name.slice(0, 256), value: discordEscape(value).slice(0, 1024), inline: name === "Status" })),
        timestamp: p.occurredAt,
        footer: { text: `${p.organization.name} status page`.slice(0, 2048) },
      },
    ],
    // Nothing in a status message may ping @everyone or a role.
    allowed_mentions: { parse: [] },
  };
}

/** The body of one delivery in the webhook's format. */
export function bodyOf(format: "JSON" | "SLACK" | "DISCORD", payload: NotificationPayload): string {
  if (format === "SLACK") return JSON.stringify(slackMessage(payload));
  if (format === "DISCORD") return JSON.stringify(discordMessage(payload));
  return JSON.stringify(payload);
}
