// graphql-codegen: typed documents for the web app from the printed schema. The web app issue
// wires it into `npm run generate`; until then this records where the types come from.
const config = {
  overwrite: true,
  schema: "schema/admin.graphql",
  documents: ["web/src/**/*.{ts,tsx}"],
  generates: { "web/src/gql/": { preset: "client" } },
};

export default config;
