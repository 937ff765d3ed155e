#!/usr/bin/env node
// The peer side of the benchmark: what a Node program does with the npm eventsource-parser
// package to parse a file of event-stream bytes. Reads FILE as a stream with a large
// highWaterMark, decodes it as a browser does (TextDecoder 'utf-8' in stream mode), feeds
// eventsource-parser's createParser, and counts the events.
//
// Usage: node esp.mjs [--json] FILE|-
//   FILE      a file, or - for standard input (bench/tail pipes `curl -sN URL` into it)
//   (default) prints the number of events, like `sse parse --count FILE`
//   --json    writes one JSON object per event to stdout, like `sse parse -f json FILE`:
//             {"event":TYPE,"data":DATA,"id":LAST_EVENT_ID} with id left out when empty.
//             eventsource-parser reports only the id set in the event's own block
//             (event.id), so the last event ID, which persists across events, is kept
//             here from its onId callback. retry is not written: the benchmark inputs have
//             none (tests/interop/esp-parse.mjs explains why it cannot be placed exactly).
// Whole-process time is what ./run measures, so startup and output are part of it, as they
// are for sse.

import fs from 'node:fs'
import {createParser} from 'eventsource-parser'

const argv = process.argv.slice(2)
const json = argv[0] === '--json'
if (json) argv.shift()
if (argv.length !== 1) {
  console.error('usage: node esp.mjs [--json] FILE|-')
  process.exit(2)
}
const file = argv[0]

const OUT_FLUSH = 1 << 20
let out = []
let outSize = 0
let count = 0
let lastId = ''

function flush() {
  if (outSize === 0) return
  const text = out.join('')
  out = []
  outSize = 0
  // Synchronous, as sse's writes are; EAGAIN on a non-blocking pipe is retried.
  let buf = Buffer.from(text)
  while (buf.length > 0) {
    try {
      const n = fs.writeSync(1, buf)
      buf = buf.subarray(n)
    } catch (err) {
      if (err.code === 'EPIPE') process.exit(0) // `| head`, as sse does
      if (err.code !== 'EAGAIN') throw err
    }
  }
}

const parser = createParser(
  json
    ? {
        onId(id) {
          lastId = id
        },
        onEvent(event) {
          count++
          let line = `{"event":${JSON.stringify(event.event || 'message')},"data":${JSON.stringify(event.data)}`
          if (lastId !== '') line += `,"id":${JSON.stringify(lastId)}`
          line += '}\n'
          out.push(line)
          outSize += line.length
          if (outSize >= OUT_FLUSH) flush()
        },
      }
    : {
        onEvent() {
          count++
        },
      },
)

const decoder = new TextDecoder('utf-8')
// Standard input is read as a Node program reads a pipe: process.stdin.
const stream = file === '-' ? process.stdin : fs.createReadStream(file, {highWaterMark: 1 << 20})
stream.on('data', (chunk) => {
  const text = decoder.decode(chunk, {stream: true})
  if (text) parser.feed(text)
})
stream.on('error', (err) => {
  console.error(`esp.mjs: ${err.message}`)
  process.exit(1)
})
stream.on('end', () => {
  const rest = decoder.decode()
  if (rest) parser.feed(rest)
  // An unterminated last block is discarded, as the WHATWG rules and sse do: no reset({consume}).
  if (json) flush()
  else process.stdout.write(`${count}\n`)
})
