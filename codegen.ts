// graphql-codegen: typed documents for the web app (client preset) from the printed schema.
// Runs in `npm ci` (postinstall) and `npm run generate`; output in web/src/gql is not committed.
// The admin schema is a superset of the public one; web/src/public.test.ts checks that the
// public page's documents are valid against schema/public.graphql too.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  overwrite: true,
  silent: true,
  schema: "schema/admin.graphql",
  documents: ["web/src/**/*.{ts,tsx}", "!web/src/gql/**"],
  ignoreNoDocuments: true,
  generates: {
    "web/src/gql/": {
      preset: "client",
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: "string" } },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
