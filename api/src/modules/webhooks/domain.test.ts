import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkWebhookUrl, DEFAULT_RETRY, isPublicAddress, retryDelayMs, signatureOf } from "./domain.ts";
import { bodyOf, discordMessage, slackMessage, summarise, type NotificationPayload } from "./messages.ts";

describe("isPublicAddress", () => {
  const refused = [
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["::1", "IPv6 loopback"],
    ["0.0.0.0", "unspecified"],
    ["::", "IPv6 unspecified"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local (cloud metadata)"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["192.0.2.10", "documentation"],
    ["fe80::1", "IPv6 link-local"],
    ["fc00::1", "unique local"],
    ["fd12:3456::1", "unique local"],
    ["ff02::1", "IPv6 multicast"],
    ["::ffff:127.0.0.1", "IPv4-mapped loopback"],
    ["::ffff:10.0.0.1", "IPv4-mapped private"],
    ["::ffff:169.254.169.254", "IPv4-mapped link-local"],
    ["::127.0.0.1", "IPv4-compatible loopback"],
    ["64:ff9b::7f00:1", "NAT64 of loopback"],
    ["2002:7f00:1::", "6to4 of loopback"],
    ["2001:db8::1", "documentation"],
    ["not an address", "no address at all"],
  ];
  it.each(refused)("refuses %s (%s)", (address) => expect(isPublicAddress(address)).toBe(false));

  const allowed = ["8.8.8.8", "93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "[2606:4700::1]"];
  it.each(allowed)("allows %s", (address) => expect(isPublicAddress(address)).toBe(true));
});

describe("checkWebhookUrl", () => {
  const table: [string, boolean, boolean][] = [
    // url, allowPrivate, accepted
    ["https://hooks.example.com/in", false, true],
    ["http://hooks.example.com:8080/in?x=1", false, true],
    ["https://8.8.8.8/in", false, true],
    ["http://127.0.0.1:9000/", false, false],
    ["http://127.0.0.1:9000/", true, true],
    ["http://[::1]/", false, false],
    ["http://[::ffff:7f00:1]/", false, false],
    ["http://169.254.169.254/latest/meta-data", false, false],
    ["http://10.0.0.8/", false, false],
    ["http://2130706433/", false, false], // 127.0.0.1 written as one number
    ["http://0x7f.1/", false, false],
    ["http://localhost:4000/", false, false],
    ["http://api.localhost/", false, false],
    ["http://localhost:4000/", true, true],
    ["ftp://hooks.example.com/", false, false],
    ["file:///etc/passwd", true, false],
    ["https://user:pass@hooks.example.com/", false, false],
    ["hooks.example.com/in", false, false],
    [`https://hooks.example.com/${"a".repeat(2000)}`, false, false],
  ];
  it.each(table)("%s (private allowed: %s) → accepted %s", (url, allowPrivate, accepted) => {
    expect(checkWebhookUrl(url, allowPrivate).ok).toBe(accepted);
  });
});

describe("retryDelayMs", () => {
  it("waits about 2 s before the second attempt and doubles after", () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, DEFAULT_RETRY, middle))).toEqual([2_000, 4_000, 8_000, 16_000]);
  });
  it("keeps the jitter within ±20 %", () => {
    expect(retryDelayMs(1, DEFAULT_RETRY, () => 0)).toBe(1_600);
    expect(retryDelayMs(1, DEFAULT_RETRY, () => 0.999999)).toBe(2_400);
  });
  it("gives up after the last attempt", () => {
    expect(retryDelayMs(DEFAULT_RETRY.maxAttempts - 1, DEFAULT_RETRY)).not.toBeNull();
    expect(retryDelayMs(DEFAULT_RETRY.maxAttempts, DEFAULT_RETRY)).toBeNull();
  });
  it("makes at least 5 attempts over at least 10 minutes, even with the shortest jitter", () => {
    const waits = Array.from({ length: DEFAULT_RETRY.maxAttempts - 1 }, (_, i) => retryDelayMs(i + 1, DEFAULT_RETRY, () => 0)!);
    expect(DEFAULT_RETRY.maxAttempts).toBeGreaterThanOrEqual(5);
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(10 * 60_000);
  });
});

describe("signatureOf", () => {
  it("is sha256= and the hex HMAC-SHA256 of the raw body", () => {
    const body = '{"kind":"INCIDENT_CREATED","note":"ünïcode"}';
    expect(signatureOf("whsec_k", body)).toBe("sha256=" + createHmac("sha256", "whsec_k").update(Buffer.from(body, "utf8")).digest("hex"));
    expect(signatureOf("whsec_k", body)).not.toBe(signatureOf("whsec_other", body));
  });
});

const incidentEvent: NotificationPayload = {
  cursor: "0000000000000007",
  kind: "INCIDENT_UPDATED",
  occurredAt: "2026-12-02T10:00:00.000Z",
  organization: { slug: "dance", name: "Dance & Co", url: "https://status.example.com/status/dance" },
  incident: {
    id: "inc-1",
    title: "API <slow>",
    status: "IDENTIFIED",
    createdAt: "2026-12-02T09:50:00.000Z",
    updatedAt: "2026-12-02T10:00:00.000Z",
    resolvedAt: null,
    url: "https://status.example.com/status/dance/incidents/inc-1",
    affectedServices: [
      { id: "s1", name: "API", status: "PARTIAL_OUTAGE" },
      { id: "s2", name: "Web", status: "DEGRADED_PERFORMANCE" },
    ],
    latestUpdate: { status: "IDENTIFIED", message: "A bad *deploy*; rolling back.", createdAt: "2026-12-02T10:00:00.000Z" },
  },
};

describe("messages", () => {
  it("summarise tells the incident, its status, the affected services and the latest update", () => {
    const s = summarise(incidentEvent);
    expect(s.headline).toBe("Incident updated: API <slow>");
    expect(s.url).toBe("https://status.example.com/status/dance/incidents/inc-1");
    expect(s.fields).toEqual([
      ["Status", "Identified"],
      ["Affected services", "API (partial outage), Web (degraded performance)"],
    ]);
    expect(s.body).toBe("A bad *deploy*; rolling back.");
    expect(s.tone).toBe("major");
  });

  it("Slack: readable text with the page, and escaped mrkdwn with the link", () => {
    const message = slackMessage(incidentEvent);
    expect(message.text).toBe("[Dance &amp; Co] Incident updated: API &lt;slow&gt; — Identified");
    const section = JSON.stringify(message.blocks[0]);
    expect(section).toContain("<https://status.example.com/status/dance/incidents/inc-1|Incident updated: API &lt;slow&gt;>");
    expect(section).toContain("*Affected services:* API (partial outage), Web (degraded performance)");
    expect(section).toContain(">A bad *deploy*; rolling back.");
  });

  it("Discord: an embed with title, link, colour and fields; no mentions", () => {
    const message = discordMessage(incidentEvent);
    const embed = message.embeds[0] as { title: string; url: string; description: string; fields: { name: string; value: string }[] };
    expect(embed.title).toBe("Incident updated: API <slow>");
    expect(embed.url).toBe("https://status.example.com/status/dance/incidents/inc-1");
    expect(embed.description).toBe("A bad \\*deploy\\*; rolling back.");
    expect(embed.fields.map((f) => f.name)).toEqual(["Status", "Affected services"]);
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });

  it("a deleted incident is told by its id only", () => {
    const gone: NotificationPayload = { ...incidentEvent, kind: "INCIDENT_DELETED", incident: { id: "inc-1", deleted: true } };
    expect(summarise(gone).headline).toBe("Incident removed: an incident");
    expect(bodyOf("JSON", gone)).not.toContain("API <slow>");
  });

  it("a status change says the status the service entered", () => {
    const change: NotificationPayload = {
      ...incidentEvent,
      kind: "SERVICE_STATUS_CHANGED",
      incident: undefined,
      serviceStatus: "MAJOR_OUTAGE",
      service: { id: "s1", name: "API", status: "OPERATIONAL", group: null },
    };
    const s = summarise(change);
    expect(s.headline).toBe("Service status changed: API");
    expect(s.fields).toEqual([["Status", "Major outage"]]);
    expect(s.url).toBe("https://status.example.com/status/dance");
  });

  it("JSON is the payload itself", () => {
    expect(JSON.parse(bodyOf("JSON", incidentEvent))).toEqual(incidentEvent);
  });
});
