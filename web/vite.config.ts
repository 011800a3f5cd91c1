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
  build: { outDir: "dist", emptyOutDir: true, sourcemap: "hidden" },
  server: {
    proxy: {
      "/graphql": { target: api, ws: true, changeOrigin: true },
      "/api": api,
      "/health": api,
      "/ready": api,
    },
  },
});
