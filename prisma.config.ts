// Prisma CLI configuration. Only `prisma generate` runs through the CLI here; migrations
// are produced by scripts/migrate-new.ts and applied by api/src/lib/migrate.ts.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  datasource: {
    // generate needs no database; the placeholder keeps a fresh clone working with nothing set.
    // eslint-disable-next-line no-restricted-properties -- CLI config, not application code
    url: process.env.DATABASE_URL ?? "postgresql://placeholder@localhost:5432/placeholder",
  },
});
