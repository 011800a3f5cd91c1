import { defineConfig } from "vitest/config";

const everything = ["api/src/**/*.test.ts", "api/test/**/*.test.ts", "scripts/**/*.test.ts", "web/src/**/*.test.ts", "web/e2e/**/*.test.ts"];

// The security suites must hold on both databases (issue 9). CI sets TEST_DATABASE_URL, which
// runs everything on PostgreSQL + Redis; these then run a second time on embedded PGlite.
const onBothDatabases = [
  "api/test/authority.test.ts",
  "api/test/invitations.test.ts",
  "api/test/input-hardening.test.ts",
  "api/test/http-hardening.test.ts",
  "api/test/deleted-replay.test.ts",
  "api/test/custom-domains.test.ts",
  "api/test/production-defaults.test.ts",
  "api/test/matrix.test.ts",
  "api/test/tenancy.test.ts",
  "api/test/webhooks.test.ts",
  "api/test/subscribers.test.ts",
];

export default defineConfig({
  // graphql ships both ESM and CJS; Pothos loads the CJS build, so our own imports must too or
  // the schema mixes two "realms" ("Cannot use GraphQLInputObjectType from another module").
  resolve: { alias: { graphql: "graphql/index.js" } },
  test: {
    // Integration suites boot the whole app with its own database (an embedded one starts in
    // seconds on a quiet machine, 15 s and more beside other suites); give them room on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Builds web/dist once, before the workers start (the suites used to race to build it).
    globalSetup: ["scripts/test-global-setup.ts"],
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: process.env.TEST_DATABASE_URL ? "postgres" : "pglite", include: everything } },
      ...(process.env.TEST_DATABASE_URL
        ? [{ extends: true as const, test: { name: "pglite", include: onBothDatabases, env: { TEST_DATABASE_URL: "", TEST_REDIS_URL: "" } } }]
        : []),
    ],
  },
});
