import { defineConfig } from "vitest/config";

export default defineConfig({
  // graphql ships both ESM and CJS; Pothos loads the CJS build, so our own imports must too or
  // the schema mixes two "realms" ("Cannot use GraphQLInputObjectType from another module").
  resolve: { alias: { graphql: "graphql/index.js" } },
  test: {
    include: ["api/src/**/*.test.ts", "api/test/**/*.test.ts", "scripts/**/*.test.ts", "web/src/**/*.test.ts", "web/e2e/**/*.test.ts"],
    // Integration suites boot the whole app with its own database; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
