#!/usr/bin/env node
// The peer of bench/fanout: the SSE broadcast server a user writes by hand in Node, with no
// dependencies. Every GET (any path) becomes a text/event-stream response kept in a Set; each
// line read on stdin is written as `data: LINE\n\n` to every response. When stdin ends, every
// response is ended and the process exits. Bound to 127.0.0.1 on a free port; the address goes
// to stderr as `listening on http://127.0.0.1:PORT`, the line `sse serve` prints.
//
// Usage: node node_broadcast.mjs < LINES

import http from 'node:http'
import readline from 'node:readline'

const clients = new Set()

const server = http.createServer((req, res) => {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
  })
  res.flushHeaders() // send the headers now, not with the first event
  clients.add(res)
  res.on('close', () => clients.delete(res))
})
server.listen(0, '127.0.0.1', () => {
  console.error(`listening on http://127.0.0.1:${server.address().port}`)
})

const lines = readline.createInterface({input: process.stdin})
lines.on('line', (line) => {
  for (const res of clients) res.write(`data: ${line}\n\n`)
})
lines.on('close', () => {
  for (const res of clients) res.end()
  server.close()
})
