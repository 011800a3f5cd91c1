// One published page per organisation being read, in memory: everything the public surfaces
// show (page status, services with their uptime history, incidents with timelines,
// maintenances), read from the database in a few queries once per change and shared by
// Query.statusPage (both endpoints), the Statuspage JSON files, the feeds and the badge.
//
// Freshness (docs/adr/0013-published-pages.md):
// - a snapshot carries the organisation's log position (Organization.eventSeq) read before
//   its queries; an announcement on the bus past that position, or a commit on this instance
//   (which may write no event: a rename), marks it stale and the next reader rebuilds it;
// - whatever the bus does, a snapshot is served for at most CHECK_MS after its position was
//   last confirmed; the next reader then re-reads the position (one query, coalesced);
// - time changes what a page shows without any event (today's uptime ratio, the day rolling
//   over, the "recent" window): a snapshot is re-derived from the same rows, without the
//   database, when its TIME_BUCKET_MS bucket ends. Its version is `position.bucket`.
// Builds and checks are single-flight per organisation. Memory is bounded by an LRU on the
// estimated bytes of snapshots and their serialised representations.
import type { Incident, IncidentUpdate, Maintenance, Organization, Service } from "../../generated/prisma/client.ts";
import type { PageStatusShape } from "../../graphql/refs.ts";
import type { Prisma } from "../../lib/db.ts";
import type { IncidentServiceWithService, Loaders } from "../../lib/loaders.ts";
import type { EventBus } from "../../lib/pubsub.ts";
import { pageStatusFrom } from "../orgs/page-status.ts";
import { MAX_UPTIME_DAYS } from "../services/uptime.ts";
import { createUptimeHistoryLoader, type StatusHistory } from "../services/uptime-history.ts";
import { Representation } from "./representation.ts";

export type IncidentWithTimeline = Incident & { services: IncidentServiceWithService[]; updates: IncidentUpdate[] };
export type MaintenanceWithServices = Maintenance & { services: { service: Service }[] };

/** What the public files (Statuspage JSON, feeds, badge) show of one page. */
export interface PublicPage {
  organization: Organization;
  status: PageStatusShape;
  services: Service[];
  /** Newest first; at most 50. Deleted incidents are left out. */
  incidents: IncidentWithTimeline[];
  /** Scheduled, in progress and completed (never cancelled), latest start first; at most 50. */
  maintenances: MaintenanceWithServices[];
}

/** The rows of one version of the log, shared by the time-derived snapshots built on them. */
interface PageRows {
  page: PublicPage;
  /** Unresolved, newest first (Query.statusPage.activeIncidents shows the first 100). */
  activeIncidents: Incident[];
  /** Resolved in the MAX_UPTIME_DAYS before the build, most recently resolved first; at most 200. */
  resolvedIncidents: Incident[];
  /** In progress and scheduled, soonest first; at most 100. */
  openMaintenances: Maintenance[];
  incidentServices: Map<string, IncidentServiceWithService[]>;
  incidentUpdates: Map<string, IncidentUpdate[]>;
  /** Every linked service, deleted ones included (the files list them as they always have). */
  maintenanceServices: Map<string, Service[]>;
  /** Per service: its status history and its incidents, which the uptime days are computed from. */
  uptime: Map<string, StatusHistory>;
  /** Rough bytes held (JSON size × 3 for object overhead). */
  bytes: number;
}

export const CHECK_MS = 1_000;
export const TIME_BUCKET_MS = 60_000;
/** A claimed newer version re-checks a page's log position at most this often. */
const EXPECT_MS = 100;
const MAX_REPRESENTATIONS = 64;
const MAX_INCIDENT_REPRESENTATIONS = 32;
/** Representation keys of one incident's page start with this. */
export const INCIDENT_KEY = "incident\n";
let lastSnapshotId = 0;

/** One version of a published page: immutable except for the representations cached on it. */
export class Snapshot {
  readonly version: string;
  /** Unique per instance: caches remember this instead of holding on to old snapshots. */
  readonly id = ++lastSnapshotId;
  /** Bytes of the representations serialised on this snapshot so far. */
  representationBytes = 0;
  private readonly representations = new Map<string, Representation>();
  private readonly incidentRepresentations = new Map<string, Representation>();
  private incidentsById: Map<string, Incident> | null = null;

  constructor(
    readonly organizationId: string,
    readonly rows: PageRows,
    readonly position: bigint,
    /** The invalidation count of its entry when its build started. */
    readonly generation: number,
    readonly bucket: number,
    private readonly grew: (snapshot: Snapshot) => void,
  ) {
    this.version = `${position}.${bucket}`;
  }

  /** The instant this version shows: uptime and "recent" are computed as of it. */
  get asOf(): Date {
    return new Date(this.bucket * TIME_BUCKET_MS);
  }

  get page(): PublicPage {
    return this.rows.page;
  }

  /** An incident this snapshot holds (active, resolved in the window, or among the newest), with its rows primed. */
  incident(id: string): Incident | null {
    if (!this.incidentsById) {
      const { rows } = this;
      this.incidentsById = new Map([...rows.page.incidents, ...rows.resolvedIncidents, ...rows.activeIncidents].map((i) => [i.id, i]));
    }
    return this.incidentsById.get(id) ?? null;
  }

  /** The representation `key` of this version, serialised on first use. */
  representation(key: string, contentType: string, render: () => string): Representation {
    return this.cached(key) ?? this.keep(key, contentType, Buffer.from(render()));
  }

  /** The representation `key` if this version already has it. */
  cached(key: string): Representation | undefined {
    return (key.startsWith(INCIDENT_KEY) ? this.incidentRepresentations : this.representations).get(key);
  }

  /**
   * Keeps `body` as this version's representation `key` (or returns the one kept first). Keys
   * carry client input (the Host a file's links name, an incident id): never let them pile up.
   * Incident pages have a map of their own, oldest out first, so a crawler walking every
   * incident never pushes out the page and its files.
   */
  keep(key: string, contentType: string, body: Buffer): Representation {
    const incident = key.startsWith(INCIDENT_KEY);
    const map = incident ? this.incidentRepresentations : this.representations;
    const existing = map.get(key);
    if (existing) return existing;
    while (map.size >= (incident ? MAX_INCIDENT_REPRESENTATIONS : MAX_REPRESENTATIONS)) {
      const [oldestKey, oldest] = map.entries().next().value!;
      map.delete(oldestKey);
      this.representationBytes -= oldest.bytes;
    }
    const rep = new Representation(contentType, body, (bytes) => this.add(bytes));
    map.set(key, rep);
    this.add(rep.body.length);
    return rep;
  }

  private add(bytes: number): void {
    this.representationBytes += bytes;
    this.grew(this);
  }

  /** Hands the snapshot's rows to a request's loaders, so that resolving the page reads nothing more. */
  prime(loaders: Loaders): void {
    const { rows } = this;
    for (const [id, links] of rows.incidentServices) loaders.incidentServices.prime(id, links);
    for (const [id, updates] of rows.incidentUpdates) loaders.incidentUpdates.prime(id, updates);
    for (const [id, services] of rows.maintenanceServices) {
      loaders.maintenanceServices.prime(
        id,
        services.filter((s) => s.deletedAt === null),
      );
    }
    for (const incident of [...rows.activeIncidents, ...rows.resolvedIncidents, ...rows.page.incidents]) loaders.incident.prime(incident.id, incident);
    for (const m of [...rows.openMaintenances, ...rows.page.maintenances]) loaders.maintenance.prime(m.id, m);
    for (const service of rows.page.services) {
      loaders.uptimeHistory.prime(service, rows.uptime.get(service.id)!);
      loaders.activeIncidentsOfService.prime(
        service.id,
        rows.activeIncidents.filter((i) => rows.incidentServices.get(i.id)?.some((link) => link.serviceId === service.id)),
      );
    }
  }
}

interface Entry {
  slug: string;
  organizationId: string | null;
  snapshot: Snapshot | null;
  /** Bumped by every invalidation; a snapshot built before the last one is stale. */
  generation: number;
  /** The highest log position announced for the organisation. */
  announced: bigint;
  /** When the snapshot's position was last known to be current (ms). */
  confirmedAt: number;
  /** When a reader last asked for a newer version than the snapshot's (ms; see expect). */
  expectedAt: number;
  building: Promise<Snapshot | null> | null;
  /** The generation the build in flight reads for: a reader that comes after an invalidation must not join an older build. */
  buildingGeneration: number;
  checking: Promise<void> | null;
  unsubscribe: (() => void) | null;
  evicted: boolean;
  bytes: number;
  /** When it last moved to the recent end of the LRU order (ms). */
  touchedAt: number;
}

export interface PublishedPagesOptions {
  /** Budget for snapshots and their representations (bytes); least recently read evicted first. */
  maxBytes?: number;
  /** At most this many organisations followed at once (each holds a bus subscription). */
  maxPages?: number;
  /** The clock (tests). */
  now?: () => number;
}

export class PublishedPages {
  private readonly entries = new Map<string, Entry>();
  private readonly byOrganization = new Map<string, Entry>();
  private readonly maxBytes: number;
  private readonly maxPages: number;
  private readonly now: () => number;
  private totalBytes = 0;
  /** Builds started (tests count them: a burst of misses must cause one). */
  builds = 0;
  /**
   * Bumped whenever any page may have changed (an invalidation, a newer position announced or
   * found): work begun in an older epoch may have read an older page, so later readers must not
   * share it (the fast path's single-flight executions).
   */
  epoch = 0;

  constructor(
    private readonly prisma: Prisma,
    private readonly bus: EventBus,
    private readonly onError: (error: unknown, organizationId: string | null) => void,
    options: PublishedPagesOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxPages = options.maxPages ?? 10_000;
    this.now = options.now ?? (() => Date.now()); // read each time: tests move the clock with vi.spyOn(Date, "now")
    // Announcements may have been lost while the bus was away: confirm every position again.
    this.bus.onReconnect(() => {
      for (const entry of this.entries.values()) entry.confirmedAt = 0;
    });
  }

  /** The current snapshot of the page `slug`, or null when there is no such page. */
  get(slug: string): Promise<Snapshot | null> {
    let entry = this.entries.get(slug);
    if (entry) {
      // Least recently read first in iteration order: move to the end — at most once a second
      // per page, so that a hot page costs no map writes per read (LRU to within a second).
      const now = this.now();
      if (now - entry.touchedAt > 1_000) {
        entry.touchedAt = now;
        this.entries.delete(slug);
        this.entries.set(slug, entry);
      }
    } else {
      entry = this.open(slug);
    }
    const ready = this.ready(entry);
    return ready ? Promise.resolve(ready) : this.refresh(entry);
  }

  /**
   * The id of the organisation's current snapshot when that is known without asking the database;
   * null when its page is not followed (evicted); undefined when a check is due (isCurrent waits for it).
   */
  currentId(organizationId: string): number | null | undefined {
    const entry = this.byOrganization.get(organizationId);
    if (!entry || entry.evicted) return null;
    return this.ready(entry)?.id;
  }

  /** Whether snapshot `snapshotId` is still what the organisation's page shows (after the coalesced check). */
  async isCurrent(organizationId: string, snapshotId: number): Promise<boolean> {
    const entry = this.byOrganization.get(organizationId);
    if (!entry || entry.evicted) return false;
    const current = this.ready(entry) ?? (await this.refresh(entry));
    return current?.id === snapshotId;
  }

  /**
   * A reader asks for a version at least `position` of pages it read (a viewer that saw that
   * event, docs/adr/0016): confirm those pages' log positions on the next read instead of up to a
   * second later. At most once per EXPECT_MS per page, whatever readers claim; returns whether a
   * check was arranged (so the caller asks once more).
   */
  expect(reads: readonly { organizationId: string; position: bigint }[], position: bigint): boolean {
    let arranged = false;
    const now = this.now();
    for (const read of reads) {
      const entry = this.byOrganization.get(read.organizationId);
      if (!entry?.snapshot || entry.snapshot.position >= position || now - entry.expectedAt < EXPECT_MS) continue;
      entry.expectedAt = now;
      entry.confirmedAt = 0;
      arranged = true;
    }
    return arranged;
  }

  /** A commit on this instance touched the organisation: rebuild before the next read. */
  invalidate(organizationId: string): void {
    const entry = this.byOrganization.get(organizationId);
    if (entry) entry.generation++;
    this.epoch++;
  }

  stats(): { pages: number; bytes: number; builds: number } {
    return { pages: this.entries.size, bytes: this.totalBytes, builds: this.builds };
  }

  close(): void {
    for (const entry of [...this.entries.values()]) this.evict(entry);
  }

  /** The snapshot when it may be served without asking the database; else null. */
  private ready(entry: Entry): Snapshot | null {
    const snapshot = entry.snapshot;
    if (!snapshot || snapshot.generation !== entry.generation || entry.announced > snapshot.position) return null;
    const now = this.now();
    if (now - entry.confirmedAt > CHECK_MS) return null;
    if (Math.floor(now / TIME_BUCKET_MS) !== snapshot.bucket) {
      // Only time moved: the same rows, shown as of the new bucket (no database work).
      entry.snapshot = this.derive(entry, snapshot.rows, snapshot.position, snapshot.generation);
      this.setBytes(entry, snapshot.rows.bytes); // the old representations go with the old snapshot
      return entry.snapshot;
    }
    return snapshot;
  }

  private async refresh(entry: Entry): Promise<Snapshot | null> {
    const snapshot = entry.snapshot;
    if (snapshot && snapshot.generation === entry.generation && entry.announced <= snapshot.position) {
      // Nothing announced: only the confirmation is old. One query for every waiting reader.
      entry.checking ??= this.check(entry, snapshot).finally(() => (entry.checking = null));
      await entry.checking;
      const ready = this.ready(entry);
      if (ready) return ready;
    }
    // A build started before the last invalidation may have read the rows before the change:
    // whoever arrives after the invalidation (a viewer refetching on the change's event) waits for
    // a build of its own generation, else it would be handed the old page and never ask again.
    if (!entry.building || entry.buildingGeneration !== entry.generation) {
      const build: Promise<Snapshot | null> = this.build(entry).finally(() => {
        if (entry.building === build) entry.building = null;
      });
      entry.building = build;
      entry.buildingGeneration = entry.generation;
    }
    return entry.building;
  }

  private async check(entry: Entry, snapshot: Snapshot): Promise<void> {
    const started = this.now();
    try {
      const org = await this.prisma.organization.findUnique({ where: { id: snapshot.organizationId }, select: { eventSeq: true, name: true, slug: true } });
      // A rename writes no event; compare what the page shows of the organisation itself too.
      const same = org && org.eventSeq === snapshot.position && org.name === snapshot.page.organization.name && org.slug === entry.slug;
      if (same) entry.confirmedAt = Math.max(entry.confirmedAt, started);
      else {
        entry.generation++;
        this.epoch++;
      }
    } catch (error) {
      // The database is unreachable: a rebuild would fail too; the reader gets the error.
      this.onError(error, snapshot.organizationId);
      throw error;
    }
  }

  private async build(entry: Entry): Promise<Snapshot | null> {
    this.builds++;
    const started = this.now();
    const generation = entry.generation;
    // The position is read first: a change committed during the queries leaves the snapshot
    // behind the log, and the next check or announcement rebuilds it.
    const organization = await this.prisma.organization.findUnique({ where: { slug: entry.slug } });
    if (!organization || (entry.organizationId && organization.id !== entry.organizationId)) {
      this.evict(entry); // unknown pages are not kept: nothing versioned to hold
      return null;
    }
    if (!entry.organizationId) this.follow(entry, organization.id);
    const rows = await this.readRows(organization, started);
    if (entry.evicted) return this.derive(entry, rows, organization.eventSeq, generation); // served once, not kept
    const snapshot = this.derive(entry, rows, organization.eventSeq, generation);
    // An older build finishing after a newer one must not replace the newer snapshot.
    if (entry.snapshot && entry.snapshot.generation > generation) return snapshot;
    this.setBytes(entry, rows.bytes);
    entry.confirmedAt = started;
    entry.snapshot = snapshot;
    this.shrink();
    return snapshot;
  }

  private derive(entry: Entry, rows: PageRows, position: bigint, generation: number): Snapshot {
    return new Snapshot(entry.organizationId!, rows, position, generation, Math.floor(this.now() / TIME_BUCKET_MS), (snapshot) => {
      if (entry.evicted || entry.snapshot !== snapshot) return; // a snapshot served once, not kept
      this.setBytes(entry, rows.bytes + snapshot.representationBytes);
      this.shrink();
    });
  }

  private async readRows(organization: Organization, now: number): Promise<PageRows> {
    const organizationId = organization.id;
    const prisma = this.prisma;
    const live = { organizationId, deletedAt: null };
    const recentSince = new Date(now - MAX_UPTIME_DAYS * 86_400_000);
    const [services, activeIncidents, resolvedIncidents, newestIncidents, openMaintenances, fileMaintenances] = await Promise.all([
      prisma.service.findMany({ where: live, orderBy: [{ position: "asc" }, { name: "asc" }] }),
      prisma.incident.findMany({ where: { ...live, resolvedAt: null }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
      prisma.incident.findMany({ where: { ...live, resolvedAt: { gte: recentSince } }, orderBy: [{ resolvedAt: "desc" }, { id: "desc" }], take: 200 }),
      prisma.incident.findMany({ where: live, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 50 }),
      prisma.maintenance.findMany({ where: { organizationId, status: { in: ["IN_PROGRESS", "SCHEDULED"] } }, orderBy: [{ scheduledStart: "asc" }, { id: "asc" }], take: 100 }),
      prisma.maintenance.findMany({ where: { organizationId, status: { in: ["SCHEDULED", "IN_PROGRESS", "COMPLETED"] } }, orderBy: [{ scheduledStart: "desc" }], take: 50 }),
    ]);
    const incidentIds = [...new Set([...activeIncidents, ...resolvedIncidents, ...newestIncidents].map((i) => i.id))];
    const maintenanceIds = [...new Set([...openMaintenances, ...fileMaintenances].map((m) => m.id))];
    const [links, updates, maintenanceLinks, histories] = await Promise.all([
      prisma.incidentService.findMany({ where: { incidentId: { in: incidentIds } }, include: { service: true }, orderBy: { service: { position: "asc" } } }),
      prisma.incidentUpdate.findMany({ where: { incidentId: { in: incidentIds } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
      prisma.maintenanceService.findMany({
        where: { maintenanceId: { in: maintenanceIds } },
        include: { service: true },
        orderBy: [{ service: { position: "asc" } }, { service: { name: "asc" } }],
      }),
      services.length ? createUptimeHistoryLoader(prisma).loadMany(services) : Promise.resolve([]),
    ]);
    const incidentServices = groupBy(incidentIds, links, (l) => l.incidentId);
    const incidentUpdates = groupBy(incidentIds, updates, (u) => u.incidentId);
    const maintenanceServices = new Map<string, Service[]>(maintenanceIds.map((id) => [id, []]));
    for (const link of maintenanceLinks) maintenanceServices.get(link.maintenanceId)?.push(link.service);
    const uptime = new Map<string, StatusHistory>();
    histories.forEach((history, i) => {
      if (history instanceof Error) throw history;
      uptime.set(services[i]!.id, history);
    });
    const page: PublicPage = {
      organization,
      status: pageStatusFrom(services, organization),
      services,
      incidents: newestIncidents.map((i) => ({ ...i, services: incidentServices.get(i.id) ?? [], updates: incidentUpdates.get(i.id) ?? [] })),
      maintenances: fileMaintenances.map((m) => ({ ...m, services: (maintenanceServices.get(m.id) ?? []).map((service) => ({ service })) })),
    };
    const rows = { page, activeIncidents, resolvedIncidents, openMaintenances, incidentServices, incidentUpdates, maintenanceServices, uptime, bytes: 0 };
    rows.bytes = 3 * JSON.stringify([page, activeIncidents, resolvedIncidents, openMaintenances, [...uptime.values()]], (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)).length;
    return rows;
  }

  private open(slug: string): Entry {
    const entry: Entry = {
      slug,
      organizationId: null,
      snapshot: null,
      generation: 0,
      announced: 0n,
      confirmedAt: 0,
      expectedAt: 0,
      building: null,
      buildingGeneration: 0,
      checking: null,
      unsubscribe: null,
      evicted: false,
      bytes: 0,
      touchedAt: this.now(),
    };
    this.entries.set(slug, entry);
    return entry;
  }

  /** Listens to the organisation's announcements, as the event hub does for subscribers. */
  private follow(entry: Entry, organizationId: string): void {
    entry.organizationId = organizationId;
    this.byOrganization.set(organizationId, entry);
    // Counted once a page exists: made-up slugs (one query each, never kept) evict nothing.
    while (this.byOrganization.size > this.maxPages) {
      const oldest = [...this.entries.values()].find((e) => e.organizationId !== null && e !== entry);
      if (!oldest) break;
      this.evict(oldest);
    }
    this.bus
      .subscribe(organizationId, (position) => {
        if (position > entry.announced) {
          entry.announced = position;
          this.epoch++;
        }
      })
      .then((unsubscribe) => {
        if (entry.evicted) return unsubscribe();
        entry.unsubscribe = unsubscribe;
      })
      // The bus may be down: the per-second check keeps the page fresh meanwhile.
      .catch((error: unknown) => this.onError(error, organizationId));
  }

  private setBytes(entry: Entry, bytes: number): void {
    this.totalBytes += bytes - entry.bytes;
    entry.bytes = bytes;
  }

  /** Evicts the least recently read pages until the budget holds (never the last one). */
  private shrink(): void {
    while (this.totalBytes > this.maxBytes && this.entries.size > 1) this.evict(this.entries.values().next().value!);
  }

  private evict(entry: Entry): void {
    if (entry.evicted) return;
    entry.evicted = true;
    entry.unsubscribe?.();
    if (this.entries.get(entry.slug) === entry) this.entries.delete(entry.slug);
    if (entry.organizationId && this.byOrganization.get(entry.organizationId) === entry) this.byOrganization.delete(entry.organizationId);
    this.setBytes(entry, 0);
  }
}

function groupBy<T>(ids: readonly string[], rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const row of rows) groups.get(key(row))?.push(row);
  return groups;
}
