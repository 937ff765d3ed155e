#!/usr/bin/env node
// The outside implementation for the differential test: parses event-stream bytes with the npm
// eventsource-parser package (pinned in package-lock.json) and prints the events as NDJSON in
// exactly the format of `sse parse -f json`, minus retry (see D3 in deviations.mjs):
//   {"event":TYPE,"data":DATA,"id":LAST_EVENT_ID}
// TYPE is "message" when the block set none; id is the last event ID, which persists across
// events until a block changes it, and is left out when empty. Keys in that order, no spaces,
// JSON.stringify escaping (\b \f \n \r \t, other controls as \u00xx, '"' and '\\'; DEL and
// U+2028/U+2029 as they are), which is what `sse` writes too.
//
// The bytes are decoded as a browser does: TextDecoder('utf-8') in stream mode, which replaces
// each maximal invalid subpart with one U+FFFD and strips one leading BOM (ignoreBOM false).
//
// Usage:
//   node esp-parse.mjs [--chunk-size N] FILE
//       prints the NDJSON to stdout
//   node esp-parse.mjs [--chunk-size N] --out-dir DIR FILE...
//       writes each FILE's NDJSON to DIR/BASENAME.ndjson (one process for many inputs)
// --chunk-size N feeds the bytes to the decoder (and the decoded text to the parser) N bytes at
// a time, so chunk boundaries fall inside CRLF pairs, UTF-8 sequences and the BOM; the default
// is the whole file in one piece.

import fs from 'node:fs'
import path from 'node:path'
import {createParser} from 'eventsource-parser'

function usage(message) {
  console.error(`esp-parse.mjs: ${message}`)
  console.error('usage: node esp-parse.mjs [--chunk-size N] [--out-dir DIR] FILE...')
  process.exit(2)
}

let chunkSize = Infinity
let outDir = null
const files = []
const argv = process.argv.slice(2)
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--chunk-size') {
    chunkSize = Number(argv[++i])
    if (!Number.isInteger(chunkSize) || chunkSize < 1) usage('--chunk-size needs a positive integer')
  } else if (argv[i] === '--out-dir') {
    outDir = argv[++i]
    if (!outDir) usage('--out-dir needs a directory')
  } else {
    files.push(argv[i])
  }
}
if (files.length === 0 || (outDir === null && files.length !== 1)) {
  usage('one FILE, or --out-dir DIR FILE...')
}

/** The NDJSON for one stream of BYTES. */
function toNdjson(bytes) {
  const lines = []
  // eventsource-parser's event.id is the id set in the event's own block only (it resets it
  // after every dispatch); onId fires at every dispatch whose block set an id, with or without
  // data, and before onEvent, so the last event ID buffer of the WHATWG rules is kept here.
  let lastEventId = ''
  const parser = createParser({
    onId(id) {
      lastEventId = id
    },
    onEvent(event) {
      let line = `{"event":${JSON.stringify(event.event || 'message')},"data":${JSON.stringify(event.data)}`
      if (lastEventId !== '') line += `,"id":${JSON.stringify(lastEventId)}`
      lines.push(line + '}\n')
    },
    // onRetry: not used, see D3 in deviations.mjs. onError reports unknown fields and invalid
    // retry values, which the rules say to ignore; onComment is not needed.
  })
  const decoder = new TextDecoder('utf-8')
  for (let at = 0; at < bytes.length; at += chunkSize) {
    const text = decoder.decode(bytes.subarray(at, Math.min(bytes.length, at + chunkSize)), {
      stream: true,
    })
    if (text !== '') parser.feed(text)
  }
  const rest = decoder.decode() // a truncated sequence at the end becomes U+FFFD
  if (rest !== '') parser.feed(rest)
  // The end of the stream: an unterminated last block is discarded, as the rules require, so
  // no reset({consume: true}).
  return lines.join('')
}

if (outDir === null) {
  process.stdout.write(toNdjson(fs.readFileSync(files[0])))
} else {
  fs.mkdirSync(outDir, {recursive: true})
  for (const file of files) {
    fs.writeFileSync(path.join(outDir, `${path.basename(file)}.ndjson`), toNdjson(fs.readFileSync(file)))
  }
}
