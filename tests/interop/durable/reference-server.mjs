#!/usr/bin/env node
// The Node reference Durable Streams server (@durable-streams/server), for checking the
// conformance harness beside it (./run) against a known implementation.
//
//   node reference-server.mjs [--port N] [--long-poll-timeout MS] [--data-dir DIR] [--webhooks]
//
// Listens on 127.0.0.1 (port 0, a free one, unless --port), prints `listening on
// http://127.0.0.1:PORT` on standard error like `sse serve`, and stops on SIGTERM or SIGINT.
// Storage is in memory unless --data-dir (LMDB plus log files there). The long-poll wait is
// 500 ms by default, as the upstream repository's own harness uses: with the reference's
// 30 s default two `offset=now` long-poll tests exceed vitest's 5 s test timeout.
import { parseArgs } from "node:util"
import { DurableStreamTestServer } from "@durable-streams/server"

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "long-poll-timeout": { type: "string", default: "500" },
    "data-dir": { type: "string" },
    webhooks: { type: "boolean", default: false },
  },
})

const server = new DurableStreamTestServer({
  host: "127.0.0.1",
  port: Number(values.port),
  longPollTimeout: Number(values["long-poll-timeout"]),
  dataDir: values["data-dir"],
  webhooks: values.webhooks,
})
const url = await server.start()
process.stderr.write(`listening on ${url}\n`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  // The reference's stop() waits for live readers; do not let one hold the exit up.
  setTimeout(() => process.exit(0), 3000).unref()
  await server.stop()
  process.exit(0)
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
