// Vitest configuration for the Durable Streams server conformance suite (./run uses it).
// The root is this directory, so only conformance.test.mjs is collected; vite's cache goes
// where DS_CACHE_DIR says (./run makes a temporary one) rather than into node_modules.
import { fileURLToPath } from "node:url"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { defineConfig } from "vitest/config"

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  cacheDir: process.env.DS_CACHE_DIR || join(tmpdir(), "sse-durable-conformance-vite"),
  test: {
    include: ["conformance.test.mjs"],
    watch: false,
    // One test file; its workers must not outlive ./run's own timeout.
    pool: "forks",
    fileParallelism: false,
    teardownTimeout: 5000,
  },
})
