// Runs `prisma generate` on a machine where Prisma's native schema engine cannot be
// downloaded (see docs/adr/0002-migrations-without-the-native-engine.md). `generate`
// never needs that engine, but the CLI insists on resolving one: point it at a stub.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = join(tmpdir(), "statuspage-prisma-stub");
mkdirSync(dir, { recursive: true });
const stub = join(dir, "schema-engine");
writeFileSync(stub, "#!/bin/sh\necho 'schema engine not available here: use npm run migrate:new' >&2\nexit 1\n");
chmodSync(stub, 0o755);

const result = spawnSync("npx", ["--no-install", "prisma", "generate"], {
  stdio: "inherit",
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
});
process.exit(result.status ?? 1);
