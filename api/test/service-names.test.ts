// Issue 11.5 and 11.7 over GraphQL HTTP: a service name is unique in its organisation (case
// aside) and a taken one is CONFLICT on `name`; groups are compared without case and keep one
// spelling; the migration that brings existing data there renames duplicates instead of failing;
// and refusals speak in the forms' words. Runs on PGlite, and on PostgreSQL with TEST_DATABASE_URL.
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, pgliteMigrationTarget, pgMigrationTarget, type MigrationTarget } from "../src/lib/migrate.ts";
import { scratchDatabase } from "../../scripts/lib/scratch-database.ts";
import { createService, createTenant, PASSWORD, signUp, type Tenant } from "./fixtures.ts";
import { codeOf, ok, startTestApp, unique, type TestApp } from "./harness.ts";

const CREATE = `mutation($input: CreateServiceInput!) { createService(input: $input) { id name group } }`;
const UPDATE = `mutation($input: UpdateServiceInput!) { updateService(input: $input) { id name group } }`;
const DELETE = `mutation($id: ID!) { deleteService(id: $id) }`;
const SERVICES = `query($slug: String!) { organization(slug: $slug) { services { name group } } }`;

let t: TestApp;
let a: Tenant;
let b: Tenant;
beforeAll(async () => {
  t = await startTestApp();
  [a, b] = [await createTenant(t), await createTenant(t)];
});
afterAll(async () => {
  await t?.stop();
});

const create = (tenant: Tenant, input: Record<string, unknown>) => t.gql<{ createService: { id: string; name: string; group: string | null } }>(CREATE, { input: { organizationId: tenant.orgId, ...input } }, { token: tenant.admin });

describe("service names", () => {
  it("refuses a name another service of the organisation has, case aside, with CONFLICT on name, and changes nothing", async () => {
    const before = ok(await t.gql<{ organization: { services: unknown[] } }>(SERVICES, { slug: a.slug }, { token: a.admin })).organization.services;
    for (const name of ["API", "api", " Api "]) {
      const refused = await create(a, { name });
      expect(codeOf(refused)).toBe("CONFLICT");
      expect(refused.errors?.[0]?.extensions?.field).toBe("name");
      expect(refused.errors?.[0]?.message).toMatch(/already a service called/);
    }
    expect(ok(await t.gql<{ organization: { services: unknown[] } }>(SERVICES, { slug: a.slug }, { token: a.admin })).organization.services).toEqual(before);
  });

  it("refuses renaming onto a taken name, and allows a service to change the case of its own", async () => {
    const other = ok(await create(a, { name: unique("Worker") })).createService;
    const refused = await t.gql(UPDATE, { input: { id: other.id, name: "api" } }, { token: a.admin });
    expect(codeOf(refused)).toBe("CONFLICT");
    expect(refused.errors?.[0]?.extensions?.field).toBe("name");
    expect(ok(await t.gql<{ updateService: { name: string } }>(UPDATE, { input: { id: other.id, name: other.name.toUpperCase() } }, { token: a.admin })).updateService.name).toBe(other.name.toUpperCase());
  });

  it("lets another organisation use the same name, and a deleted service's name be taken again", async () => {
    const shared = unique("Search");
    ok(await create(a, { name: shared }));
    expect(ok(await create(b, { name: shared.toLowerCase() })).createService.name).toBe(shared.toLowerCase());
    const gone = ok(await create(a, { name: "Legacy" })).createService;
    ok(await t.gql(DELETE, { id: gone.id }, { token: a.admin }));
    expect(ok(await create(a, { name: "legacy" })).createService.name).toBe("legacy");
  });

  it("of two admins adding the same name at once, accepts one and refuses the other with CONFLICT", async () => {
    const name = unique("Race");
    const results = await Promise.all([create(a, { name }), create(a, { name: name.toLowerCase() })]);
    expect(results.map((r) => (r.errors ? codeOf(r) : "ok")).sort()).toEqual(["CONFLICT", "ok"]);
  });
});

describe("service groups", () => {
  it("puts a service typed into 'frontend' into the existing 'Frontend' group, on create and on update", async () => {
    const tenant = await createTenant(t);
    expect(ok(await create(tenant, { name: "Website", group: "Frontend" })).createService.group).toBe("Frontend");
    expect(ok(await create(tenant, { name: "Mobile", group: "frontend " })).createService.group).toBe("Frontend");
    const id = await createService(t, tenant, "Search");
    expect(ok(await t.gql<{ updateService: { group: string } }>(UPDATE, { input: { id, group: "FRONTEND" } }, { token: tenant.admin })).updateService.group).toBe("Frontend");
    // A new group keeps the spelling it was given; null still clears.
    expect(ok(await t.gql<{ updateService: { group: string } }>(UPDATE, { input: { id, group: "Edge" } }, { token: tenant.admin })).updateService.group).toBe("Edge");
    expect(ok(await t.gql<{ updateService: { group: string | null } }>(UPDATE, { input: { id, group: null } }, { token: tenant.admin })).updateService.group).toBeNull();
  });
});

describe("refusals in the forms' words", () => {
  const SCHEDULE = `mutation($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { id } }`;
  it.each([
    ["an end before the start", { scheduledStart: "2030-01-01T12:00:00Z", scheduledEnd: "2030-01-01T11:00:00Z" }, "scheduledEnd", "The end must be later than the start."],
    ["no service", { serviceIds: [], scheduledStart: "2030-01-01T12:00:00Z", scheduledEnd: "2030-01-01T13:00:00Z" }, "serviceIds", "Choose at least one service."],
    ["an empty title", { title: "  ", scheduledStart: "2030-01-01T12:00:00Z", scheduledEnd: "2030-01-01T13:00:00Z" }, "title", "Title must not be empty."],
  ])("scheduling maintenance with %s", async (_, change, field, message) => {
    const result = await t.gql(SCHEDULE, { input: { organizationId: a.orgId, serviceIds: [a.serviceId], title: "Work", ...change } }, { token: a.admin });
    expect(codeOf(result)).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0]?.extensions?.field).toBe(field);
    expect(result.errors?.[0]?.message).toBe(message);
  });

  it("names the page address, not organizationSlug, when it is taken", async () => {
    const owner = await signUp(t);
    const result = await t.gql(`mutation($input: SignUpInput!) { signUp(input: $input) { token } }`, {
      input: { email: `${unique("x")}@example.com`, password: PASSWORD, name: "X", organizationName: "X", organizationSlug: owner.slug },
    });
    expect(codeOf(result)).toBe("CONFLICT");
    expect(result.errors?.[0]?.extensions?.field).toBe("organizationSlug");
    expect(result.errors?.[0]?.message).toBe(`The page address “${owner.slug}” is taken: choose another.`);
  });
});

describe("the migration unique_service_names on existing data", () => {
  const dir = join(import.meta.dirname, "../../prisma/migrations");
  const name = readdirSync(dir).find((entry) => entry.endsWith("_unique_service_names"))!;

  async function onDatabase(run: (target: MigrationTarget, query: <T>(sql: string, params?: unknown[]) => Promise<T[]>) => Promise<void>) {
    if (process.env.TEST_DATABASE_URL) {
      const database = await scratchDatabase(process.env.TEST_DATABASE_URL, "t");
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await run(pgMigrationTarget(client), async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[]);
      } finally {
        await client.end();
        await database.drop();
      }
    } else {
      const db = new PGlite();
      try {
        await run(pgliteMigrationTarget(db), async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows);
      } finally {
        await db.close();
      }
    }
  }

  it("renames later duplicates to the first free '<name> (n)', unifies group spellings, and then holds the rule", async () => {
    // The migrations before this one, then data as production could have it.
    const before = mkdtempSync(join(tmpdir(), "migrations-"));
    try {
      for (const entry of readdirSync(dir)) if (entry < name && !entry.endsWith(".prisma")) cpSync(join(dir, entry), join(before, entry), { recursive: true });
      await onDatabase(async (target, query) => {
        await applyMigrations(target, before);
        await query(`INSERT INTO "Organization" (id, slug, name) VALUES ('o1', 'one', 'One'), ('o2', 'two', 'Two')`);
        const rows: [string, string, string, string | null, number, string, string | null][] = [
          ["s1", "o1", "API", "Backend", 0, "2026-01-01", null],
          ["s2", "o1", "api", "backend", 1, "2026-01-02", null],
          ["s3", "o1", "API (2)", "BACKEND ", 2, "2026-01-03", null],
          ["s4", "o1", "Api", null, 3, "2026-01-04", null],
          ["s5", "o1", "api", null, 4, "2026-01-05", "2026-02-01"], // deleted: left as it is
          ["s6", "o2", "API", "backend", 0, "2026-01-01", null], // another organisation
        ];
        for (const [id, org, serviceName, group, position, createdAt, deletedAt] of rows) {
          await query(`INSERT INTO "Service" (id, "organizationId", name, "group", position, "createdAt", "updatedAt", "deletedAt") VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`, [id, org, serviceName, group, position, createdAt, deletedAt]);
        }
        await applyMigrations(target, dir);
        const after = await query<{ id: string; name: string; group: string | null }>(`SELECT id, name, "group" FROM "Service" ORDER BY id`);
        expect(after).toEqual([
          { id: "s1", name: "API", group: "Backend" },
          { id: "s2", name: "api (3)", group: "Backend" },
          { id: "s3", name: "API (2)", group: "Backend" },
          { id: "s4", name: "Api (4)", group: null },
          { id: "s5", name: "api", group: null },
          { id: "s6", name: "API", group: "backend" },
        ]);
        await expect(query(`INSERT INTO "Service" (id, "organizationId", name, "updatedAt") VALUES ('s7', 'o1', 'API (3)', now())`)).rejects.toThrow();
      });
    } finally {
      rmSync(before, { recursive: true, force: true });
    }
  });
});
