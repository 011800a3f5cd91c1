// Prints both schemas to schema/admin.graphql and schema/public.graphql (sorted), or with
// --check fails when the committed files differ from what the code builds.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { printSchemas } from "../api/src/graphql/schema.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
const printed = printSchemas();
let drift = false;
for (const [name, sdl] of Object.entries(printed)) {
  const file = join(root, "schema", `${name}.graphql`);
  const header = `# Printed from the Pothos schema by \`npm run schema:print\`. Do not edit.\n\n`;
  const content = header + sdl;
  if (check) {
    let committed = "";
    try {
      committed = readFileSync(file, "utf8");
    } catch {
      /* missing counts as drift */
    }
    if (committed !== content) {
      console.error(`schema/${name}.graphql is out of date: run npm run schema:print and commit it.`);
      drift = true;
    }
  } else {
    writeFileSync(file, content);
    console.log(`wrote schema/${name}.graphql`);
  }
}
process.exit(drift ? 1 : 0);
