import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["api/src/**/*.test.ts", "api/test/**/*.test.ts", "scripts/**/*.test.ts"],
    // Integration suites boot the whole app with its own database; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
