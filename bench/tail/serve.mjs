#!/usr/bin/env node
// The server side of bench/tail: replays one file of event-stream bytes to every GET, as fast
// as the client takes them, then ends the response (so `sse tail --no-reconnect` exits 0 and
// curl ends). Bound to 127.0.0.1 on a free port; the address goes to stderr as
//   listening on http://127.0.0.1:PORT
// which ./run waits for. Like a live SSE server, the body has no Content-Length: Node sends it
// chunked (one HTTP chunk per read of the file, 1 MiB).
//
// Usage: node serve.mjs FILE
// Runs until killed (SIGTERM or SIGINT end it cleanly).

import fs from 'node:fs'
import http from 'node:http'

const argv = process.argv.slice(2)
if (argv.length !== 1) {
  console.error('usage: node serve.mjs FILE')
  process.exit(2)
}
const file = argv[0]
fs.accessSync(file, fs.constants.R_OK) // fail at start, not on the first request

const server = http.createServer((req, res) => {
  if (req.method !== 'GET') {
    res.writeHead(405, {Allow: 'GET'}).end()
    return
  }
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
  })
  const stream = fs.createReadStream(file, {highWaterMark: 1 << 20})
  stream.on('error', (err) => {
    console.error(`serve.mjs: ${err.message}`)
    res.destroy(err)
  })
  // A client that goes away early (sse tail -n 10, curl | head) stops the read.
  res.on('close', () => stream.destroy())
  stream.pipe(res)
})
server.listen(0, '127.0.0.1', () => {
  console.error(`listening on http://127.0.0.1:${server.address().port}`)
})
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.closeAllConnections()
    server.close(() => process.exit(0))
  })
}
