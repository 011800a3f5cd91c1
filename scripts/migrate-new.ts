// `npm run migrate:new -- <name>` writes prisma/migrations/<timestamp>_<name>/migration.sql as
// the diff between the schema as of the last migration (schema.snapshot.prisma) and the
// current prisma/schema.prisma, then updates the snapshot.
// `npm run migrate:check` fails when schema.prisma has changes no migration covers, or when
// the snapshot no longer matches the migrations (someone edited one without the other).
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diffDatamodels, isEmptyDiff, openSchemaEngine } from "./lib/schema-engine.ts";

const root = join(import.meta.dirname, "..");
const schemaPath = join(root, "prisma/schema.prisma");
const migrationsDir = join(root, "prisma/migrations");
const snapshotPath = join(migrationsDir, "schema.snapshot.prisma");

const schema = readFileSync(schemaPath, "utf8");
const snapshot = existsSync(snapshotPath) ? readFileSync(snapshotPath, "utf8") : null;
const engine = await openSchemaEngine(schema);
const pending = await diffDatamodels(engine, snapshot, schema);

if (process.argv.includes("--check")) {
  if (!isEmptyDiff(pending)) {
    console.error("prisma/schema.prisma has changes without a migration. Run: npm run migrate:new -- <name>\n\n" + pending);
    process.exit(1);
  }
  // The snapshot must equal what the migrations build: replaying them from empty and diffing
  // against the snapshot is done by the test suite (migrations.test.ts) on a real database.
  const migrations = readdirSync(migrationsDir).filter((name) => existsSync(join(migrationsDir, name, "migration.sql")));
  if (snapshot !== null && migrations.length === 0) {
    console.error("schema.snapshot.prisma exists but no migration does");
    process.exit(1);
  }
  console.log(`migrations up to date (${migrations.length})`);
  process.exit(0);
}

const name = process.argv.slice(2).find((arg) => !arg.startsWith("-"));
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run migrate:new -- <snake_case_name>");
  process.exit(2);
}
if (isEmptyDiff(pending)) {
  console.log("nothing to migrate: schema.prisma matches the last migration");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const dir = join(migrationsDir, `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "migration.sql"), pending);
writeFileSync(snapshotPath, schema);
console.log(`wrote ${dir}/migration.sql`);
process.exit(0);
