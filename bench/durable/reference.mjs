#!/usr/bin/env node
// The Node reference Durable Streams server (@durable-streams/server, the copy installed in
// tests/interop/node_modules by its lock file), started for bench/durable:
//
//   node reference.mjs [--long-poll-timeout MS] [--data-dir DIR]
//
// Listens on 127.0.0.1, a free port, and prints `listening on http://127.0.0.1:PORT` on stderr
// like `sse serve`. In memory unless --data-dir (LMDB plus log files there). Stops on SIGTERM or
// SIGINT (at once: the bench does not wait for its live readers to go).
import { parseArgs } from "node:util"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const entry = join(here, "../../tests/interop/node_modules/@durable-streams/server/dist/index.js")
const { DurableStreamTestServer } = await import(pathToFileURL(entry).href)

const { values } = parseArgs({
  options: {
    "long-poll-timeout": { type: "string", default: "30000" },
    "data-dir": { type: "string" },
  },
})

const server = new DurableStreamTestServer({
  host: "127.0.0.1",
  port: 0,
  longPollTimeout: Number(values["long-poll-timeout"]),
  dataDir: values["data-dir"],
})
const url = await server.start()
process.stderr.write(`listening on ${url}\n`)

const stop = () => {
  setTimeout(() => process.exit(0), 2000).unref()
  server.stop().then(() => process.exit(0), () => process.exit(0))
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
