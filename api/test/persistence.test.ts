// The embedded default keeps its data: a restart on the same DATA_DIR finds everything (and
// the development JWT secret, so sessions survive too); a second process on the same DATA_DIR
// is refused with a clear message. Demo data is created once and never overwrites.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { pino } from "pino";
import { createTenant } from "./fixtures.ts";
import { ok, startTestApp, testConfig } from "./harness.ts";

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "statuspage-test-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("the embedded database", () => {
  // Two starts of the embedded database each: give them room on a loaded CI machine.
  it("keeps data and sessions across a restart", { timeout: 90_000 }, async () => {
    const dataDir = freshDir();
    const first = await startTestApp({ dataDir, jwtSecret: undefined });
    const tenant = await createTenant(first);
    await first.stop();

    const second = await startTestApp({ dataDir, jwtSecret: undefined });
    try {
      const org = ok(
        await second.gql<{ organization: { services: { id: string }[] } }>(`query($s: String!) { organization(slug: $s) { services { id } } }`, { s: tenant.slug }, { token: tenant.admin }),
      );
      expect(org.organization.services.map((s) => s.id)).toContain(tenant.serviceId);
    } finally {
      await second.stop();
    }
  });

  it("refuses a second process on the same DATA_DIR with a clear message", async () => {
    const dataDir = freshDir();
    const first = await startTestApp({ dataDir });
    try {
      await expect(buildApp(testConfig({ dataDir }), { logger: pino({ level: "silent" }) })).rejects.toThrow(/DATA_DIR|another process|in use|locked/i);
    } finally {
      await first.stop();
    }
  });
});

describe("demo data", () => {
  const PAGE = `{ statusPage(slug: "dance") { services { id name } activeIncidents { title } } }`;

  it("creates dance and sing with their logins, and never overwrites on the next start", { timeout: 90_000 }, async () => {
    const dataDir = freshDir();
    const first = await startTestApp({ dataDir, demo: true });
    let renamed: string;
    try {
      for (const slug of ["dance", "sing"]) {
        for (const [email, role] of [[`admin@${slug}.example`, "ADMIN"], [`member@${slug}.example`, "MEMBER"]] as const) {
          const login = ok(
            await first.gql<{ logIn: { user: { memberships: { role: string; organization: { slug: string } }[] } } }>(
              `mutation($e: String!) { logIn(input: { email: $e, password: "demo-password" }) { user { memberships { role organization { slug } } } } }`,
              { e: email },
            ),
          );
          expect(login.logIn.user.memberships).toContainEqual({ role, organization: { slug } });
        }
      }
      const page = ok(await first.gql<{ statusPage: { services: { id: string; name: string }[]; activeIncidents: unknown[] } }>(PAGE, {}, { endpoint: "/graphql/public" }));
      expect(page.statusPage.services.length).toBeGreaterThanOrEqual(3);
      expect(page.statusPage.activeIncidents).toHaveLength(1);
      const admin = ok(await first.gql<{ logIn: { token: string } }>(`mutation { logIn(input: { email: "admin@dance.example", password: "demo-password" }) { token } }`)).logIn.token;
      renamed = `Renamed ${Date.now()}`;
      ok(await first.gql(`mutation($id: ID!, $n: String!) { updateService(input: { id: $id, name: $n }) { id } }`, { id: page.statusPage.services[0]!.id, n: renamed }, { token: admin }));
    } finally {
      await first.stop();
    }
    const second = await startTestApp({ dataDir, demo: true });
    try {
      const page = ok(await second.gql<{ statusPage: { services: { name: string }[]; activeIncidents: unknown[] } }>(PAGE, {}, { endpoint: "/graphql/public" }));
      expect(page.statusPage.services.map((s) => s.name)).toContain(renamed);
      expect(page.statusPage.activeIncidents).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
