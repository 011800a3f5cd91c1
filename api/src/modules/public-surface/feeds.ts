// Atom and RSS feeds of a page's incidents (newest first), each entry carrying its timeline,
// for feed readers and chat integrations that follow a status page.
import type { IncidentWithTimeline, PublicPage } from "../public/published-pages.ts";

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

const STATUS_WORD: Record<string, string> = { INVESTIGATING: "Investigating", IDENTIFIED: "Identified", MONITORING: "Monitoring", RESOLVED: "Resolved" };

/** The timeline as simple HTML (escaped inside the XML), newest update first. */
function timelineHtml(incident: IncidentWithTimeline): string {
  const affected = incident.services.map((s) => s.service.name).join(", ");
  const updates = [...incident.updates]
    .reverse()
    .map((u) => `<p><strong>${escapeXml(STATUS_WORD[u.status] ?? u.status)}</strong> (${u.createdAt.toISOString()}) — ${escapeXml(u.message)}</p>`)
    .join("");
  return `<p>Affected: ${escapeXml(affected)}</p>${updates}`;
}

export function atomFeed(page: PublicPage, pageUrl: string, feedUrl: string): string {
  const updated = page.incidents.reduce((latest, i) => (i.updatedAt > latest ? i.updatedAt : latest), page.organization.createdAt);
  const entries = page.incidents
    .map(
      (incident) => `  <entry>
    <id>urn:statuspage:incident:${incident.id}</id>
    <title>${escapeXml(`${incident.title} (${STATUS_WORD[incident.status] ?? incident.status})`)}</title>
    <link rel="alternate" type="text/html" href="${escapeXml(`${pageUrl}/incidents/${incident.id}`)}"/>
    <published>${incident.createdAt.toISOString()}</published>
    <updated>${incident.updatedAt.toISOString()}</updated>
    <content type="html">${escapeXml(timelineHtml(incident))}</content>
  </entry>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <id>urn:statuspage:page:${page.organization.id}</id>
  <title>${escapeXml(`${page.organization.name} status`)}</title>
  <link rel="alternate" type="text/html" href="${escapeXml(pageUrl)}"/>
  <link rel="self" type="application/atom+xml" href="${escapeXml(feedUrl)}"/>
  <updated>${updated.toISOString()}</updated>
  <author><name>${escapeXml(page.organization.name)}</name></author>
${entries}
</feed>
`;
}

export function rssFeed(page: PublicPage, pageUrl: string): string {
  const items = page.incidents
    .map(
      (incident) => `    <item>
      <title>${escapeXml(`${incident.title} (${STATUS_WORD[incident.status] ?? incident.status})`)}</title>
      <link>${escapeXml(`${pageUrl}/incidents/${incident.id}`)}</link>
      <guid isPermaLink="false">${incident.id}</guid>
      <pubDate>${incident.createdAt.toUTCString()}</pubDate>
      <description>${escapeXml(timelineHtml(incident))}</description>
    </item>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>${escapeXml(`${page.organization.name} status`)}</title>
    <link>${escapeXml(pageUrl)}</link>
    <description>${escapeXml(`Incidents of ${page.organization.name}`)}</description>
${items}
  </channel>
</rss>
`;
}
