// `npm run dev`: Vite on :5173 with the API (HTTP, WebSocket, SSE) proxied to :4000.
// `vite build` writes web/dist, which the API process serves.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = process.env.API_URL ?? "http://localhost:4000";

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // "hidden": maps are written for whoever debugs a build, but no bundle points at them and the
  // server never serves them (api/src/lib/web.ts): the public gets no source.
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: "hidden",
    // The GraphQL console's lazy chunks (GraphiQL, Monaco 2.8 MB, its workers) are large by
    // nature and load only when a console opens; the entry every page loads stays ~425 kB.
    chunkSizeWarningLimit: 3_000,
    rolldownOptions: {
      onwarn(warning, warn) {
        // GraphiQL's React-compiler runtime carries "use no memo" directives: harmless when bundled.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE" && /react-compiler-runtime|@graphiql/.test(warning.message)) return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      // A browser opening /graphql gets the console from this dev server (as the API serves the
      // built app there); GraphQL requests, WebSockets and SSE go to the API.
      "/graphql": { target: api, ws: true, changeOrigin: true, bypass: (req) => (req.method === "GET" && req.headers.accept?.includes("text/html") ? "/index.html" : undefined) },
      "/api": api,
      "/health": api,
      "/ready": api,
    },
  },
});
