// The status rules of API.md ("Rules"), end to end over GraphQL HTTP: what opening, updating,
// resolving and deleting incidents and setting a status by hand do to services, the timeline
// and the page indicator; that a refused change leaves nothing behind; that concurrent calls
// are serialised; and that every accepted mutation leaves exactly one audit entry and exactly
// its events. Runs on PGlite, and on PostgreSQL with TEST_DATABASE_URL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, type Tenant } from "./fixtures.ts";
import { codeOf, ok, startTestApp, unique, type GqlResult, type TestApp } from "./harness.ts";

const OP = "OPERATIONAL";
const DEG = "DEGRADED_PERFORMANCE";
const PART = "PARTIAL_OUTAGE";
const MAJ = "MAJOR_OUTAGE";
const MAINT = "UNDER_MAINTENANCE";
const STATUSES = [OP, DEG, PART, MAJ, MAINT] as const;
type Status = (typeof STATUSES)[number];
/** The only incident-driven changes API.md allows: strictly worse, between outage levels. */
const WORSENINGS = new Set([`${OP}>${DEG}`, `${OP}>${PART}`, `${OP}>${MAJ}`, `${DEG}>${PART}`, `${DEG}>${MAJ}`, `${PART}>${MAJ}`]);
const SEVERITY: Record<string, number> = { [OP]: 0, [DEG]: 1, [PART]: 2, [MAJ]: 3 };

interface Incident {
  id: string;
  title: string;
  status: string;
  resolvedAt: string | null;
  updates: { status: string; message: string; createdAt: string }[];
  affectedServices: { service: { id: string }; fromStatus: string; toStatus: string }[];
}
const INCIDENT = `id title status resolvedAt updates { status message createdAt } affectedServices { service { id } fromStatus toStatus }`;

interface ServiceState {
  id: string;
  status: string;
  statusSince: string;
  statusSource: { kind: string; incident: { id: string } | null; maintenance: { id: string } | null };
  activeIncidents: { id: string }[];
}
interface PageStatus {
  indicator: string;
  description: string;
  updatedAt: string;
}
interface State {
  organization: { status: PageStatus; services: ServiceState[]; incidents: { nodes: Incident[] } };
  statusPage: { status: PageStatus; activeIncidents: { id: string }[] };
}
/** Everything a user can see change: the services, the incidents with their timelines, the page. */
const STATE = `query($slug: String!) {
  organization(slug: $slug) {
    status { indicator description updatedAt }
    services { id status statusSince statusSource { kind incident { id } maintenance { id } } activeIncidents { id } }
    incidents(first: 100) { nodes { ${INCIDENT} } }
  }
  statusPage(slug: $slug) { status { indicator description updatedAt } activeIncidents { id } } }`;

interface LoggedEvent {
  cursor: string;
  kind: string;
  serviceStatus: string | null;
  serviceId: string | null;
  incidentId: string | null;
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

/**
 * The verbs of one tenant, called as its admin, and a ledger of its audit log and event log
 * so that each test can say exactly what one call left behind.
 */
function kit(tenant: Tenant) {
  const as = { token: tenant.admin };
  const labels = new Map<string, string>();
  const seenAudit = new Set<string>();
  let lastCursor: string | null = null;

  const state = async () => ok(await t.gql<State>(STATE, { slug: tenant.slug }, as));
  const service = async (id: string) => (await state()).organization.services.find((s) => s.id === id)!;
  const incident = async (id: string) => (await state()).organization.incidents.nodes.find((i) => i.id === id);

  /** The audit entries and events written since the last call (the first call reads them all). */
  async function news() {
    const audit = ok(
      await t.gql<{ organization: { auditLog: { nodes: { id: string; action: string; actor: string; targetId: string | null }[] } } }>(
        `query($slug: String!) { organization(slug: $slug) { auditLog(first: 200) { nodes { id action actor targetId } } } }`,
        { slug: tenant.slug },
        as,
      ),
    ).organization.auditLog.nodes.filter((entry) => !seenAudit.has(entry.id));
    for (const entry of audit) seenAudit.add(entry.id);
    const events: LoggedEvent[] = [];
    for (;;) {
      const batch = ok(
        await t.gql<{ organization: { events: LoggedEvent[] } }>(
          `query($slug: String!, $after: String) { organization(slug: $slug) { events(after: $after, first: 500) { cursor kind serviceStatus serviceId incidentId } } }`,
          { slug: tenant.slug, after: lastCursor },
          as,
        ),
      ).organization.events;
      events.push(...batch);
      if (batch.length > 0) lastCursor = batch[batch.length - 1]!.cursor;
      if (batch.length < 500) break;
    }
    return { audit: audit.map(({ action, actor, targetId }) => ({ action, actor, targetId })), events };
  }

  /** "SERVICE_STATUS_CHANGED x→MAJOR_OUTAGE", "INCIDENT_CREATED": readable and comparable. */
  // By id: a deleted service is no longer readable through the log (only its id is), as for anyone.
  const render = (e: LoggedEvent) => `${e.kind}${e.serviceId ? ` ${labels.get(e.serviceId) ?? e.serviceId}` : ""}${e.serviceStatus ? `→${e.serviceStatus}` : ""}`;

  /** The last accepted call wrote one audit entry (by this admin, on this target) and exactly these events. */
  async function expectOneChange(action: string, targetId: string, events: string[]) {
    const written = await news();
    expect(written.audit).toEqual([{ action, actor: `user:${tenant.adminEmail}`, targetId }]);
    expect(written.events.map(render).sort()).toEqual([...events].sort());
    for (const e of written.events) if (e.kind.startsWith("INCIDENT_")) expect(e.incidentId).toBe(targetId);
  }

  /** The call is refused with `code`, and nothing a user can see changed, nothing was audited or logged. */
  async function expectRefused(call: () => Promise<GqlResult<unknown>>, code = "INVALID_TRANSITION") {
    await news();
    const before = await state();
    const result = await call();
    expect(codeOf(result)).toBe(code);
    expect(result.data ?? null).toBeNull();
    expect(await state()).toEqual(before);
    expect(await news()).toEqual({ audit: [], events: [] });
  }

  const calls = {
    createService: (name: string) =>
      t.gql<{ createService: { id: string } }>(`mutation($input: CreateServiceInput!) { createService(input: $input) { id } }`, { input: { organizationId: tenant.orgId, name } }, as),
    setStatus: (id: string, status: Status) =>
      t.gql<{ setServiceStatus: ServiceState }>(
        `mutation($input: SetServiceStatusInput!) { setServiceStatus(input: $input) { id status statusSince statusSource { kind incident { id } maintenance { id } } activeIncidents { id } } }`,
        { input: { id, status } },
        as,
      ),
    open: (serviceIds: string[], impact: string, message = "We are looking into it.", title = "Something is wrong") =>
      t.gql<{ createIncident: Incident }>(`mutation($input: CreateIncidentInput!) { createIncident(input: $input) { ${INCIDENT} } }`, { input: { serviceIds, title, message, impact } }, as),
    update: (input: { id: string; status?: string; message?: string; title?: string }) =>
      t.gql<{ updateIncident: Incident }>(`mutation($input: UpdateIncidentInput!) { updateIncident(input: $input) { ${INCIDENT} } }`, { input }, as),
    remove: (id: string) => t.gql<{ deleteIncident: string }>(`mutation($id: ID!) { deleteIncident(id: $id) }`, { id }, as),
    deleteService: (id: string) => t.gql<{ deleteService: string }>(`mutation($id: ID!) { deleteService(id: $id) }`, { id }, as),
  };

  /** A new OPERATIONAL service called `label` in event renderings (then set by hand to `status`). */
  async function newService(label: string, status: Status = OP): Promise<string> {
    const { id } = ok(await calls.createService(unique(label))).createService;
    labels.set(id, label);
    await expectOneChange("service.create", id, [`SERVICE_CREATED ${label}`]);
    if (status !== OP) await setStatus(id, status);
    return id;
  }

  async function setStatus(id: string, status: Status, { changes = true } = {}) {
    const updated = ok(await calls.setStatus(id, status)).setServiceStatus;
    await expectOneChange("service.set_status", id, changes ? [`SERVICE_STATUS_CHANGED ${labels.get(id)}→${status}`] : []);
    return updated;
  }

  /** Opens an incident that must be accepted; checks its footprint: the incident and one status change per service. */
  async function open(serviceIds: string[], impact: string, message?: string) {
    const created = ok(await calls.open(serviceIds, impact, message)).createIncident;
    await expectOneChange("incident.create", created.id, ["INCIDENT_CREATED", ...serviceIds.map((id) => `SERVICE_STATUS_CHANGED ${labels.get(id)}→${impact}`)]);
    return created;
  }

  /** Resolves an incident; `recalculated` lists the status changes that must follow ([label, status]). */
  async function resolve(id: string, recalculated: [string, Status][], message = "Resolved.") {
    const resolved = ok(await calls.update({ id, status: "RESOLVED", message })).updateIncident;
    await expectOneChange("incident.resolve", id, ["INCIDENT_RESOLVED", ...recalculated.map(([label, s]) => `SERVICE_STATUS_CHANGED ${label}→${s}`)]);
    return resolved;
  }

  async function remove(id: string, recalculated: [string, Status][]) {
    expect(ok(await calls.remove(id)).deleteIncident).toBe(id);
    await expectOneChange("incident.delete", id, ["INCIDENT_DELETED", ...recalculated.map(([label, s]) => `SERVICE_STATUS_CHANGED ${label}→${s}`)]);
  }

  return { tenant, labels, state, service, incident, news, render, expectOneChange, expectRefused, calls, newService, setStatus, open, resolve, remove };
}

const sourceOf = (s: ServiceState) => ({ kind: s.statusSource.kind, incident: s.statusSource.incident?.id ?? null, maintenance: s.statusSource.maintenance?.id ?? null });
const fromTo = (i: Incident, labels: Map<string, string>) =>
  Object.fromEntries(i.affectedServices.map((a) => [labels.get(a.service.id) ?? a.service.id, `${a.fromStatus}>${a.toStatus}`]));

describe("createIncident", () => {
  let k: ReturnType<typeof kit>;
  beforeAll(async () => {
    k = kit(await createTenant(t));
    await k.news();
  });

  it("opens INVESTIGATING, records each service's fromStatus, sets it to the impact and names itself as the reason", async () => {
    const [x, y, z] = [await k.newService("x"), await k.newService("y", DEG), await k.newService("z", PART)];
    const before = await k.state();
    const incident = await k.open([x, y, z], MAJ, "Errors everywhere.");

    expect(incident.status).toBe("INVESTIGATING");
    expect(incident.resolvedAt).toBeNull();
    expect(incident.updates.map((u) => [u.status, u.message])).toEqual([["INVESTIGATING", "Errors everywhere."]]);
    expect(fromTo(incident, k.labels)).toEqual({ x: `${OP}>${MAJ}`, y: `${DEG}>${MAJ}`, z: `${PART}>${MAJ}` });

    const after = await k.state();
    for (const id of [x, y, z]) {
      const s = after.organization.services.find((s) => s.id === id)!;
      expect(s.status).toBe(MAJ);
      expect(sourceOf(s)).toEqual({ kind: "INCIDENT", incident: incident.id, maintenance: null });
      expect(s.activeIncidents.map((i) => i.id)).toEqual([incident.id]);
      // statusSince is when the current status began: now, not when the service was created
      const was = before.organization.services.find((s) => s.id === id)!;
      expect(Date.parse(s.statusSince)).toBeGreaterThan(Date.parse(was.statusSince));
    }
    expect(after.organization.incidents.nodes.map((i) => i.id)).toContain(incident.id);
    expect(after.statusPage.activeIncidents.map((i) => i.id)).toContain(incident.id);
    // the incident as read later is the incident the mutation answered with
    expect(await k.incident(incident.id)).toEqual(incident);
  });

  // Every (current status, impact) pair. A second service that would accept the change is in
  // the same incident, listed (and created, so locked and processed) first: a refusal must roll
  // it back too.
  const pairs = STATUSES.flatMap((from) => STATUSES.map((impact) => [from, impact] as [Status, Status]));
  it.each(pairs)("%s with impact %s", async (from, impact) => {
    const bystander = await k.newService("bystander");
    const x = await k.newService("x", from);
    if (WORSENINGS.has(`${from}>${impact}`)) {
      const incident = await k.open([bystander, x], impact);
      expect(fromTo(incident, k.labels)).toEqual({ bystander: `${OP}>${impact}`, x: `${from}>${impact}` });
      expect((await k.service(x)).status).toBe(impact);
    } else {
      await k.expectRefused(() => k.calls.open([bystander, x], impact));
      expect((await k.service(bystander)).status).toBe(OP);
      expect((await k.service(x)).status).toBe(from);
    }
  });

  it("refuses a three-service incident when only the middle service refuses, and touches none of them", async () => {
    const [x, y, z] = [await k.newService("x"), await k.newService("y"), await k.newService("z")];
    const earlier = await k.open([y], MAJ);
    await k.expectRefused(() => k.calls.open([x, y, z], PART));
    // the earlier incident on y is untouched: same source, same timeline, still the only one
    const ys = await k.service(y);
    expect(ys.status).toBe(MAJ);
    expect(sourceOf(ys)).toEqual({ kind: "INCIDENT", incident: earlier.id, maintenance: null });
    expect(ys.activeIncidents.map((i) => i.id)).toEqual([earlier.id]);
    expect((await k.incident(earlier.id))?.updates).toHaveLength(1);
  });

  it("refuses a deleted or unknown service as NOT_FOUND and changes nothing", async () => {
    const [x, gone] = [await k.newService("x"), await k.newService("gone")];
    ok(await k.calls.deleteService(gone));
    await k.expectOneChange("service.delete", gone, [`SERVICE_DELETED gone`]);
    await k.expectRefused(() => k.calls.open([x, gone], MAJ), "NOT_FOUND");
    await k.expectRefused(() => k.calls.open([x, "00000000-0000-7000-8000-000000000000"], MAJ), "NOT_FOUND");
    expect((await k.service(x)).status).toBe(OP);
  });
});

describe("updateIncident", () => {
  let k: ReturnType<typeof kit>;
  beforeAll(async () => {
    k = kit(await createTenant(t));
    await k.news();
  });

  it("moves forward only, appends exactly one timeline entry per status or message change, oldest first", async () => {
    const x = await k.newService("x");
    const { id } = await k.open([x], PART, "Slow responses.");
    const timeline = async () => (await k.incident(id))!.updates.map((u) => `${u.status}: ${u.message}`);

    // status only: one entry, with the status's own words
    const identified = ok(await k.calls.update({ id, status: "IDENTIFIED" })).updateIncident;
    await k.expectOneChange("incident.update", id, ["INCIDENT_UPDATED"]);
    expect(identified.status).toBe("IDENTIFIED");
    expect(identified.updates).toHaveLength(2);
    expect(identified.updates[1]!.status).toBe("IDENTIFIED");
    expect(identified.updates[1]!.message.trim()).not.toBe("");

    // message only: one entry at the current status
    ok(await k.calls.update({ id, message: "A bad deploy." }));
    await k.expectOneChange("incident.update", id, ["INCIDENT_UPDATED"]);
    // title only: renamed, no timeline entry
    expect(ok(await k.calls.update({ id, title: "Slow API" })).updateIncident.title).toBe("Slow API");
    await k.expectOneChange("incident.update", id, ["INCIDENT_UPDATED"]);
    expect(await timeline()).toEqual(["INVESTIGATING: Slow responses.", `IDENTIFIED: ${identified.updates[1]!.message}`, "IDENTIFIED: A bad deploy."]);

    // backward is refused, message and title with it
    await k.expectRefused(() => k.calls.update({ id, status: "INVESTIGATING", message: "Back to square one.", title: "Nope" }));

    // status and message together: still one entry
    ok(await k.calls.update({ id, status: "MONITORING", message: "Rolled back." }));
    await k.expectOneChange("incident.update", id, ["INCIDENT_UPDATED"]);
    await k.expectRefused(() => k.calls.update({ id, status: "IDENTIFIED" }));
    await k.expectRefused(() => k.calls.update({ id, status: "INVESTIGATING" }));

    const resolved = await k.resolve(id, [["x", OP]], "All good.");
    expect(resolved.status).toBe("RESOLVED");
    expect(resolved.resolvedAt).not.toBeNull();
    expect(await timeline()).toEqual([
      "INVESTIGATING: Slow responses.",
      `IDENTIFIED: ${identified.updates[1]!.message}`,
      "IDENTIFIED: A bad deploy.",
      "MONITORING: Rolled back.",
      "RESOLVED: All good.",
    ]);
    const stamps = (await k.incident(id))!.updates.map((u) => Date.parse(u.createdAt));
    expect(stamps).toEqual([...stamps].sort((p, q) => p - q));
  });

  it("allows skipping forward: INVESTIGATING straight to MONITORING, and straight to RESOLVED", async () => {
    const x = await k.newService("x");
    const first = await k.open([x], DEG);
    ok(await k.calls.update({ id: first.id, status: "MONITORING" }));
    await k.expectOneChange("incident.update", first.id, ["INCIDENT_UPDATED"]);
    expect((await k.incident(first.id))!.updates.map((u) => u.status)).toEqual(["INVESTIGATING", "MONITORING"]);
    await k.resolve(first.id, [["x", OP]]);

    const second = await k.open([x], MAJ);
    const resolved = await k.resolve(second.id, [["x", OP]]);
    expect(resolved.updates.map((u) => u.status)).toEqual(["INVESTIGATING", "RESOLVED"]);
  });

  it("never reopens a resolved incident, and a later note on it does not recalculate its services again", async () => {
    const x = await k.newService("x");
    const old = await k.open([x], MAJ);
    await k.resolve(old.id, [["x", OP]]);
    for (const status of ["INVESTIGATING", "IDENTIFIED", "MONITORING"]) {
      await k.expectRefused(() => k.calls.update({ id: old.id, status, message: "Reopen" }));
    }
    // x has a new active incident; a post-mortem note on the old one must leave x alone
    const current = await k.open([x], PART);
    const noted = ok(await k.calls.update({ id: old.id, message: "Post-mortem: a full disk." })).updateIncident;
    await k.expectOneChange("incident.update", old.id, ["INCIDENT_UPDATED"]);
    expect(noted.status).toBe("RESOLVED");
    expect(noted.updates.map((u) => u.status)).toEqual(["INVESTIGATING", "RESOLVED", "RESOLVED"]);
    const xs = await k.service(x);
    expect(xs.status).toBe(PART);
    expect(sourceOf(xs)).toEqual({ kind: "INCIDENT", incident: current.id, maintenance: null });
  });
});

describe("recalculation when an incident ends", () => {
  let k: ReturnType<typeof kit>;
  beforeAll(async () => {
    k = kit(await createTenant(t));
    await k.news();
  });

  it("returns the service to the other active incident's toStatus when the newer one resolves, then to OPERATIONAL", async () => {
    const x = await k.newService("x");
    const older = await k.open([x], DEG);
    const newer = await k.open([x], MAJ);
    expect(fromTo(newer, k.labels)).toEqual({ x: `${DEG}>${MAJ}` });
    expect((await k.service(x)).activeIncidents.map((i) => i.id).sort()).toEqual([older.id, newer.id].sort());

    await k.resolve(newer.id, [["x", DEG]]);
    let xs = await k.service(x);
    expect(xs.status).toBe(DEG);
    expect(sourceOf(xs)).toEqual({ kind: "INCIDENT", incident: older.id, maintenance: null });
    expect(xs.activeIncidents.map((i) => i.id)).toEqual([older.id]);

    await k.resolve(older.id, [["x", OP]]);
    xs = await k.service(x);
    expect(xs.status).toBe(OP);
    expect(sourceOf(xs)).toEqual({ kind: "DEFAULT", incident: null, maintenance: null });
    expect(xs.activeIncidents).toEqual([]);
  });

  it("keeps the newer incident's status when the older one resolves first", async () => {
    const x = await k.newService("x");
    const older = await k.open([x], PART);
    const newer = await k.open([x], MAJ);
    await k.resolve(older.id, []); // no status change: no SERVICE_STATUS_CHANGED
    const xs = await k.service(x);
    expect(xs.status).toBe(MAJ);
    expect(sourceOf(xs)).toEqual({ kind: "INCIDENT", incident: newer.id, maintenance: null });
    await k.resolve(newer.id, [["x", OP]]);
  });

  it("recalculates each affected service on its own", async () => {
    const [x, y] = [await k.newService("x"), await k.newService("y")];
    const both = await k.open([x, y], DEG);
    const onlyY = await k.open([y], PART);
    await k.resolve(both.id, [["x", OP]]);
    expect((await k.service(x)).status).toBe(OP);
    expect(sourceOf(await k.service(y))).toEqual({ kind: "INCIDENT", incident: onlyY.id, maintenance: null });
    expect((await k.service(y)).status).toBe(PART);
  });

  it("recalculates the same way when an active incident is deleted, and the deleted one is gone everywhere", async () => {
    const x = await k.newService("x");
    const older = await k.open([x], DEG);
    const newer = await k.open([x], MAJ);
    await k.remove(newer.id, [["x", DEG]]);
    const after = await k.state();
    const xs = after.organization.services.find((s) => s.id === x)!;
    expect(xs.status).toBe(DEG);
    expect(sourceOf(xs)).toEqual({ kind: "INCIDENT", incident: older.id, maintenance: null });
    expect(xs.activeIncidents.map((i) => i.id)).toEqual([older.id]);
    expect(after.organization.incidents.nodes.map((i) => i.id)).not.toContain(newer.id);
    expect(after.statusPage.activeIncidents.map((i) => i.id)).not.toContain(newer.id);
    await k.expectRefused(() => k.calls.update({ id: newer.id, status: "RESOLVED" }), "NOT_FOUND");
    await k.expectRefused(() => k.calls.remove(newer.id), "NOT_FOUND");

    await k.remove(older.id, [["x", OP]]);
    expect(sourceOf(await k.service(x))).toEqual({ kind: "DEFAULT", incident: null, maintenance: null });
  });

  it("does not recalculate when a resolved incident is deleted", async () => {
    const x = await k.newService("x");
    const old = await k.open([x], MAJ);
    await k.resolve(old.id, [["x", OP]]);
    const current = await k.open([x], DEG);
    await k.remove(old.id, []);
    const xs = await k.service(x);
    expect(xs.status).toBe(DEG);
    expect(sourceOf(xs)).toEqual({ kind: "INCIDENT", incident: current.id, maintenance: null });
  });

  it("leaves a service put under maintenance by hand there, on resolve and on delete", async () => {
    const x = await k.newService("x");
    const first = await k.open([x], DEG);
    const second = await k.open([x], MAJ);
    await k.setStatus(x, MAINT);
    await k.resolve(second.id, []);
    expect(sourceOf(await k.service(x))).toEqual({ kind: "MANUAL", incident: null, maintenance: null });
    await k.remove(first.id, []);
    const xs = await k.service(x);
    expect(xs.status).toBe(MAINT);
    expect(sourceOf(xs)).toEqual({ kind: "MANUAL", incident: null, maintenance: null });
    // and incidents cannot touch it while it is there
    await k.expectRefused(() => k.calls.open([x], MAJ));
  });

  it("leaves a service in an active maintenance window there, and hands it back to its incident when the window ends", async () => {
    const x = await k.newService("x");
    const slow = await k.open([x], DEG);
    const down = await k.open([x], MAJ);
    // A window that began a second ago: the clock starts it on its next pass — which may come
    // before this test reads what scheduling wrote, so both changes are read together.
    const window = ok(
      await t.gql<{ scheduleMaintenance: { id: string } }>(
        `mutation($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { id } }`,
        { input: { organizationId: k.tenant.orgId, serviceIds: [x], title: "Upgrade", scheduledStart: new Date(Date.now() - 1_000), scheduledEnd: new Date(Date.now() + 3_600_000) } },
        { token: k.tenant.admin },
      ),
    ).scheduleMaintenance.id;
    const deadline = Date.now() + 5_000;
    while ((await k.service(x)).status !== MAINT) {
      if (Date.now() > deadline) throw new Error("the maintenance window did not start");
      await t.app.clock()?.tick();
    }
    const started = await k.news();
    expect(started.audit.map((a) => `${a.action} ${a.targetId}`).sort()).toEqual([`maintenance.schedule ${window}`, `maintenance.start ${window}`]);
    expect(started.events.map(k.render).sort()).toEqual(["MAINTENANCE_SCHEDULED", "MAINTENANCE_STARTED", `SERVICE_STATUS_CHANGED x→${MAINT}`]);
    expect(sourceOf(await k.service(x))).toEqual({ kind: "MAINTENANCE", incident: null, maintenance: window });

    await k.expectRefused(() => k.calls.open([x], MAJ));
    await k.resolve(down.id, []);
    const during = await k.service(x);
    expect(during.status).toBe(MAINT);
    expect(sourceOf(during)).toEqual({ kind: "MAINTENANCE", incident: null, maintenance: window });

    // Ending the window hands the service to the incident still active on it.
    ok(await t.gql(`mutation($id: ID!) { cancelMaintenance(id: $id) { id } }`, { id: window }, { token: k.tenant.admin }));
    await k.expectOneChange("maintenance.cancel", window, ["MAINTENANCE_CANCELLED", `SERVICE_STATUS_CHANGED x→${DEG}`]);
    expect(sourceOf(await k.service(x))).toEqual({ kind: "INCIDENT", incident: slow.id, maintenance: null });
    await k.resolve(slow.id, [["x", OP]]);
  });
});

describe("setServiceStatus", () => {
  let k: ReturnType<typeof kit>;
  beforeAll(async () => {
    k = kit(await createTenant(t));
    await k.news();
  });

  it("sets any status by hand, better or worse, into and out of maintenance, with MANUAL as the reason", async () => {
    const x = await k.newService("x");
    let previous = await k.service(x);
    for (const status of [DEG, MAJ, PART, OP, MAINT, DEG, MAINT, OP, MAJ] as Status[]) {
      const answered = await k.setStatus(x, status);
      const now = await k.service(x);
      expect(answered).toEqual(now);
      expect(now.status).toBe(status);
      expect(sourceOf(now)).toEqual({ kind: "MANUAL", incident: null, maintenance: null });
      expect(Date.parse(now.statusSince)).toBeGreaterThan(Date.parse(previous.statusSince));
      previous = now;
    }
  });

  it("overrides an incident's status without resolving the incident; statusSince stays when the status does", async () => {
    const x = await k.newService("x");
    const incident = await k.open([x], MAJ);
    const before = await k.service(x);
    const same = await k.setStatus(x, MAJ, { changes: false });
    expect(same.statusSince).toBe(before.statusSince);
    expect(sourceOf(same)).toEqual({ kind: "MANUAL", incident: null, maintenance: null });

    await k.setStatus(x, OP);
    const after = await k.service(x);
    expect(after.activeIncidents.map((i) => i.id)).toEqual([incident.id]);
    expect((await k.incident(incident.id))!.status).toBe("INVESTIGATING");
  });
});

describe("the page indicator", () => {
  let k: ReturnType<typeof kit>;
  let x: string;
  let y: string;
  beforeAll(async () => {
    k = kit(await createTenant(t));
    await k.news();
    x = k.tenant.serviceId;
    k.labels.set(x, "x");
    y = await k.newService("y");
  });

  /** Organization.status and the public statusPage.status (over /graphql/public) must agree. */
  async function page(): Promise<PageStatus> {
    const admin = (await k.state()).organization.status;
    const visitor = ok(
      await t.gql<{ statusPage: { status: PageStatus } }>(`query($slug: String!) { statusPage(slug: $slug) { status { indicator description updatedAt } } }`, { slug: k.tenant.slug }, { endpoint: "/graphql/public" }),
    ).statusPage.status;
    expect(visitor).toEqual(admin);
    return admin;
  }
  const indicator = async () => (await page()).indicator;

  it("is NONE, All Systems Operational, when every service is operational", async () => {
    expect(await page()).toMatchObject({ indicator: "NONE", description: "All Systems Operational" });
  });

  it("is MAINTENANCE when a service is under maintenance and none is worse, else the worst service decides", async () => {
    await k.setStatus(x, MAINT);
    const maintenance = await page();
    expect(maintenance.indicator).toBe("MAINTENANCE");
    expect(maintenance.description).not.toBe("All Systems Operational");
    const seen = new Map<string, string>();
    for (const [status, expected] of [[DEG, "MINOR"], [PART, "MAJOR"], [MAJ, "CRITICAL"]] as [Status, string][]) {
      await k.setStatus(y, status);
      const now = await page();
      expect(now.indicator).toBe(expected);
      seen.set(expected, now.description);
    }
    // each level says something different, and none of them claims all is well
    expect(new Set([...seen.values(), maintenance.description, "All Systems Operational"]).size).toBe(5);
    await k.setStatus(y, OP);
    expect(await indicator()).toBe("MAINTENANCE");
    await k.setStatus(x, OP);
    expect(await indicator()).toBe("NONE");
  });

  it("follows incidents: the worst affected service while open, back when resolved", async () => {
    const minor = await k.open([x], DEG);
    expect(await indicator()).toBe("MINOR");
    const critical = await k.open([y], MAJ);
    expect(await indicator()).toBe("CRITICAL");
    await k.resolve(critical.id, [["y", OP]]);
    expect(await indicator()).toBe("MINOR");
    await k.resolve(minor.id, [["x", OP]]);
    expect(await indicator()).toBe("NONE");
  });

  it("ignores deleted services", async () => {
    const z = await k.newService("z", MAJ);
    expect(await indicator()).toBe("CRITICAL");
    ok(await k.calls.deleteService(z));
    await k.expectOneChange("service.delete", z, ["SERVICE_DELETED z"]);
    expect(await indicator()).toBe("NONE");
  });
});

describe("concurrency", () => {
  let k: ReturnType<typeof kit>;
  beforeAll(async () => {
    k = kit(await createTenant(t));
    await k.news();
  });

  it("lets exactly one of ten concurrent createIncident calls on one OPERATIONAL service win", async () => {
    const x = await k.newService("x");
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => k.calls.open([x], MAJ, `Report ${i}`, `Race ${i}`)));
    const winners = results.filter((r) => !r.errors).map((r) => r.data!.createIncident);
    expect(winners).toHaveLength(1);
    expect(results.map(codeOf).filter((c) => c === "INVALID_TRANSITION")).toHaveLength(9);
    expect(fromTo(winners[0]!, k.labels)).toEqual({ x: `${OP}>${MAJ}` });

    const after = await k.state();
    expect(after.organization.incidents.nodes.filter((i) => i.affectedServices.some((a) => a.service.id === x)).map((i) => i.id)).toEqual([winners[0]!.id]);
    const xs = after.organization.services.find((s) => s.id === x)!;
    expect(xs.status).toBe(MAJ);
    expect(xs.activeIncidents.map((i) => i.id)).toEqual([winners[0]!.id]);
    // one audit entry, one INCIDENT_CREATED and one SERVICE_STATUS_CHANGED: the winner's
    const written = await k.news();
    expect(written.audit.map((a) => `${a.action} ${a.targetId}`)).toEqual([`incident.create ${winners[0]!.id}`]);
    expect(written.events.map(k.render).sort()).toEqual(["INCIDENT_CREATED", `SERVICE_STATUS_CHANGED x→${MAJ}`]);
  });

  it("never lets concurrent incidents on overlapping services read the same fromStatus", async () => {
    // Six incidents at once on the same two services, listed in both orders. Whatever order
    // they run in, the ones accepted must form one chain of strict worsenings per service.
    for (let round = 0; round < 3; round++) {
      const [x, y] = [await k.newService("x"), await k.newService("y")];
      const attempts = [DEG, PART, MAJ].flatMap((impact) => [
        { impact, ids: [x, y] },
        { impact, ids: [y, x] },
      ]);
      const results = await Promise.all(attempts.map((a) => k.calls.open(a.ids, a.impact)));
      for (const r of results) if (r.errors) expect(codeOf(r)).toBe("INVALID_TRANSITION");
      const winners = results.filter((r) => !r.errors).map((r) => r.data!.createIncident);
      expect(winners.length).toBeGreaterThanOrEqual(1);

      for (const id of [x, y]) {
        const steps = winners.map((w) => w.affectedServices.find((a) => a.service.id === id)!).sort((p, q) => SEVERITY[p.toStatus]! - SEVERITY[q.toStatus]!);
        // each accepted incident read the status the previous one wrote: no fromStatus twice
        expect(steps.map((s) => s.fromStatus)).toEqual([OP, ...steps.slice(0, -1).map((s) => s.toStatus)]);
        expect(new Set(steps.map((s) => s.fromStatus)).size).toBe(steps.length);
        expect((await k.service(id)).status).toBe(steps[steps.length - 1]!.toStatus);
      }
      const written = await k.news();
      expect(written.audit.map((a) => a.action)).toEqual(winners.map(() => "incident.create"));
      expect(written.events.filter((e) => e.kind === "INCIDENT_CREATED")).toHaveLength(winners.length);
      expect(written.events.filter((e) => e.kind === "SERVICE_STATUS_CHANGED" && e.serviceId === x)).toHaveLength(winners.length);
      expect(written.events.filter((e) => e.kind === "SERVICE_STATUS_CHANGED" && e.serviceId === y)).toHaveLength(winners.length);
    }
  });

  it("lets only one of two concurrent incidents sharing one service win, and the loser touches neither of its services", async () => {
    for (let round = 0; round < 5; round++) {
      const [x, shared, z] = [await k.newService("x"), await k.newService("shared"), await k.newService("z")];
      const [left, right] = await Promise.all([k.calls.open([x, shared], DEG), k.calls.open([shared, z], DEG)]);
      expect([left, right].filter((r) => !r.errors)).toHaveLength(1);
      expect(codeOf(left.errors ? left : right)).toBe("INVALID_TRANSITION");
      const statuses = await Promise.all([x, shared, z].map(async (id) => (await k.service(id)).status));
      expect(statuses).toEqual(left.errors ? [OP, DEG, DEG] : [DEG, DEG, OP]);
      const written = await k.news();
      expect(written.audit).toHaveLength(1);
      expect(written.events.map(k.render).sort()).toEqual(
        ["INCIDENT_CREATED", `SERVICE_STATUS_CHANGED shared→${DEG}`, `SERVICE_STATUS_CHANGED ${left.errors ? "z" : "x"}→${DEG}`].sort(),
      );
    }
  });

  it("returns a service to OPERATIONAL when both its incidents resolve at the same time", async () => {
    for (let round = 0; round < 5; round++) {
      const x = await k.newService("x");
      const [older, newer] = [await k.open([x], DEG), await k.open([x], MAJ)];
      const results = await Promise.all([k.calls.update({ id: older.id, status: "RESOLVED" }), k.calls.update({ id: newer.id, status: "RESOLVED" })]);
      for (const r of results) ok(r);
      const xs = await k.service(x);
      expect(xs.status).toBe(OP);
      expect(sourceOf(xs)).toEqual({ kind: "DEFAULT", incident: null, maintenance: null });
      const written = await k.news();
      expect(written.audit.map((a) => a.action)).toEqual(["incident.resolve", "incident.resolve"]);
      // whichever ran second saw the first one resolved: the service ends OPERATIONAL, reached once
      expect(written.events.map(k.render).filter((e) => e.endsWith(`→${OP}`))).toEqual([`SERVICE_STATUS_CHANGED x→${OP}`]);
    }
  });

  it("serialises a new incident with the resolution of the one it worsens", async () => {
    for (let round = 0; round < 5; round++) {
      const x = await k.newService("x");
      const slow = await k.open([x], DEG);
      const [resolved, opened] = await Promise.all([k.calls.update({ id: slow.id, status: "RESOLVED" }), k.calls.open([x], MAJ)]);
      ok(resolved);
      const down = ok(opened).createIncident;
      // Either order is fine, but the new incident read what the resolution left, or the
      // resolution saw the new incident: the service ends in the new incident's status.
      const from = down.affectedServices[0]!.fromStatus;
      expect([OP, DEG]).toContain(from);
      const xs = await k.service(x);
      expect(xs.status).toBe(MAJ);
      expect(sourceOf(xs)).toEqual({ kind: "INCIDENT", incident: down.id, maintenance: null });
      const changes = (await k.news()).events.map(k.render).filter((e) => e.startsWith("SERVICE_STATUS_CHANGED"));
      expect(changes).toEqual(from === OP ? [`SERVICE_STATUS_CHANGED x→${OP}`, `SERVICE_STATUS_CHANGED x→${MAJ}`] : [`SERVICE_STATUS_CHANGED x→${MAJ}`]);
    }
  });

  it("ends an incident once when it is deleted twice and resolved at the same time", async () => {
    for (let round = 0; round < 5; round++) {
      const x = await k.newService("x");
      const { id } = await k.open([x], MAJ);
      const [del1, del2, res] = await Promise.all([k.calls.remove(id), k.calls.remove(id), k.calls.update({ id, status: "RESOLVED" })]);
      // A call that comes after the delete finds no incident: NOT_FOUND, never an internal error.
      for (const r of [del1, del2, res]) if (r.errors) expect(codeOf(r)).toBe("NOT_FOUND");
      expect([del1, del2].filter((r) => !r.errors)).toHaveLength(1);
      const xs = await k.service(x);
      expect(xs.status).toBe(OP);
      expect(xs.activeIncidents).toEqual([]);
      const written = await k.news();
      expect(written.audit).toHaveLength([del1, del2, res].filter((r) => !r.errors).length);
      const kinds = written.events.map(k.render).sort();
      expect(kinds).toEqual([...(res.errors ? [] : ["INCIDENT_RESOLVED"]), "INCIDENT_DELETED", `SERVICE_STATUS_CHANGED x→${OP}`].sort());
    }
  });
});
