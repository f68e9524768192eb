import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The app is served by `spanlake serve` from the binary (docs/ui.md); `npm run dev`
// proxies the API to a local server for development.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", assetsDir: "assets", sourcemap: false, chunkSizeWarningLimit: 1024 },
  server: {
    proxy: Object.fromEntries(
      ["/btql", "/v1", "/api", "/ui/v1", "/xact-id", "/attachment", "/objects", "/experiment-comparison2", "/logs3"].map(
        (p) => [p, process.env.SPANLAKE_URL ?? "http://127.0.0.1:8000"],
      ),
    ),
  },
});
