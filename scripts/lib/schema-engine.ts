// Prisma's schema engine as WebAssembly: the native engine cannot be downloaded on these
// machines (see STACK.md), and the WASM build computes the same diffs. An in-memory PGlite is
// the "database" it talks to; diffs between two datamodels never touch it.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

const require = createRequire(import.meta.url);

type DiffSide = { tag: "empty" } | { tag: "schemaDatamodel"; files: { path: string; content: string }[] };

interface SchemaEngine {
  diff(params: {
    from: DiffSide;
    to: DiffSide;
    script: boolean;
    exitCode: null;
    filters: { externalTables: string[]; externalEnums: string[] };
  }): Promise<{ stdout: string }>;
}

interface Glue {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
  SchemaEngine: { new: (opts: unknown, log: (msg: string) => void, adapter: unknown) => Promise<SchemaEngine> };
}

export async function openSchemaEngine(datamodel: string): Promise<SchemaEngine> {
  const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const glue = (await import(gluePath)) as Glue;
  const bytes = await readFile(join(dirname(gluePath), "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(new PGlite()));
  return glue.SchemaEngine.new({ datamodels: [["schema.prisma", datamodel]] }, () => {}, adapter);
}

/** SQL that turns a database built from `from` (or empty) into one matching `to`. */
export async function diffDatamodels(engine: SchemaEngine, from: string | null, to: string): Promise<string> {
  const side = (content: string): DiffSide => ({ tag: "schemaDatamodel", files: [{ path: "schema.prisma", content }] });
  const result = await engine.diff({
    from: from === null ? { tag: "empty" } : side(from),
    to: side(to),
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  return result.stdout;
}

/** True when a diff script contains no statements (only comments / whitespace). */
export function isEmptyDiff(sql: string): boolean {
  return sql
    .split("\n")
    .map((line) => line.trim())
    .every((line) => line === "" || line.startsWith("--"));
}
