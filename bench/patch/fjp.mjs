#!/usr/bin/env node
// The peer side of the benchmark: what a Node program does with the npm fast-json-patch
// package to fold the same NDJSON events into state, as `sse patch --final FILE` does. Reads
// FILE in large chunks and splits lines itself (faster than readline), parses each event
// object and its data, replaces the state on "snapshot" and applies "patch" events with
// applyPatch(state, ops, false, true): no validation, in place, which is fast-json-patch's
// fastest mode (and, unlike sse, not atomic: a failing operation leaves the ones before it
// applied). Prints the final state as one line of JSON.
// Usage: node fjp.mjs FILE

import fs from 'node:fs'
import jsonpatch from 'fast-json-patch'

const file = process.argv[2]
if (!file) {
  console.error('usage: node fjp.mjs FILE')
  process.exit(2)
}

let state = {}
function handle(line) {
  if (line.length === 0) return
  const event = JSON.parse(line)
  const payload = typeof event.data === 'string' ? JSON.parse(event.data) : event.data
  if (event.event === 'snapshot') state = payload
  else if (event.event === 'patch') state = jsonpatch.applyPatch(state, payload, false, true).newDocument
}

const fd = fs.openSync(file, 'r')
const chunk = Buffer.allocUnsafe(1 << 22)
let rest = ''
for (;;) {
  const n = fs.readSync(fd, chunk, 0, chunk.length, null)
  if (n === 0) break
  const text = rest + chunk.toString('utf8', 0, n)
  let start = 0
  for (let stop = text.indexOf('\n'); stop >= 0; stop = text.indexOf('\n', start)) {
    handle(text.slice(start, stop))
    start = stop + 1
  }
  rest = text.slice(start)
}
handle(rest)
process.stdout.write(JSON.stringify(state) + '\n')
