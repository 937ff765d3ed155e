#!/usr/bin/env node
// Generates the benchmark inputs, deterministically (seeded), into an output directory:
//   small.sse  ~SIZE MB of ~140-byte events: `id: N`, `event: update`, one JSON `data:` line
//              (the shape of an LLM token stream or a live feed)
//   large.sse  ~SIZE MB of ~20 KB events of many `data:` lines (documents, snapshots)
// and manifest.json with the byte and event count of each, so ./run can check every tool
// counted the same events.
//
// Usage: node gen.mjs [--out DIR] [--size-mb N] [--seed N] [--only small|large]
// Defaults: --out <this dir>/out, --size-mb 200, --seed 1. The same arguments always give
// byte-identical files.

import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {mulberry32} from '../../tests/interop/mulberry32.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const args = {out: path.join(here, 'out'), sizeMb: 200, seed: 1, only: null}
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i]
  const value = () => {
    if (i + 1 >= process.argv.length) usage(`${arg} needs a value`)
    return process.argv[++i]
  }
  if (arg === '--out') args.out = value()
  else if (arg === '--size-mb') args.sizeMb = Number(value())
  else if (arg === '--seed') args.seed = Number(value())
  else if (arg === '--only') args.only = value()
  else if (arg === '-h' || arg === '--help') usage()
  else usage(`unknown argument ${arg}`)
}
if (!(args.sizeMb > 0) || !Number.isInteger(args.seed)) usage('bad --size-mb or --seed')

function usage(message) {
  if (message) console.error(`gen.mjs: ${message}`)
  console.error('usage: node gen.mjs [--out DIR] [--size-mb N] [--seed N] [--only small|large]')
  process.exit(message ? 2 : 0)
}

// Mostly ASCII with some multi-byte UTF-8 (2, 3 and 4 bytes), as real streams of text have,
// so that decoding non-ASCII is part of what gets measured.
const WORDS = (
  'the of and to in is you that it he was for on are as with his they at be this have from ' +
  'or one had by word but not what all were we when your can said there use an each which ' +
  'she do how their if will up other about out many then them these so some her would make ' +
  'like him into time has look two more write go see number no way could people my than ' +
  'first water been call who oil its now find long down day did get come made may part ' +
  'café naïve über señor déjà Ελλάδα Москва 日本語 中文 한국어 ✓ → … 😀 🚀'
).split(' ')

const KiB = 1024
const MiB = 1024 * 1024
const FLUSH = 4 * MiB

function writeFile(file, makeEvent, target) {
  const fd = fs.openSync(file, 'w')
  let bytes = 0
  let events = 0
  let parts = []
  let pending = 0
  try {
    while (bytes < target) {
      const text = makeEvent(events)
      events++
      const size = Buffer.byteLength(text)
      bytes += size
      parts.push(text)
      pending += size
      if (pending >= FLUSH) {
        fs.writeSync(fd, parts.join(''))
        parts = []
        pending = 0
      }
    }
    if (parts.length) fs.writeSync(fd, parts.join(''))
  } finally {
    fs.closeSync(fd)
  }
  return {bytes, events}
}

function words(random, count) {
  const out = []
  for (let i = 0; i < count; i++) out.push(WORDS[Math.floor(random() * WORDS.length)])
  return out.join(' ')
}

// ~140 bytes: id line, event line, one JSON data line, blank line.
function smallEvent(random) {
  return (n) => {
    const value = Math.floor(random() * 1e6) / 100
    const text = words(random, 3 + Math.floor(random() * 4))
    const json = `{"seq":${n},"ok":${random() < 0.9},"value":${value},"text":${JSON.stringify(text)}}`
    // Pad to the target size with a short trailing field so sizes stay near 140 bytes.
    const head = `id: ${n}\nevent: update\ndata: `
    const room = 140 - (head.length + json.length + 2)
    const padded = room > 12 ? json.slice(0, -1) + `,"p":"${'x'.repeat(room - 8)}"}` : json
    return `${head}${padded}\n\n`
  }
}

// ~20 KB: an id, an event type, and ~250 data lines of ~80 bytes (varying), some of them
// empty (a blank data line is part of the data, not the end of the event).
function largeEvent(random) {
  return (n) => {
    const lines = [`id: doc-${n}`, 'event: snapshot']
    let size = 0
    while (size < 20 * KiB) {
      const r = random()
      let line
      if (r < 0.03) line = 'data:'
      else if (r < 0.06) line = `data:${words(random, 8)}` // no space after the colon
      else line = `data: ${words(random, 6 + Math.floor(random() * 12))}`
      lines.push(line)
      size += line.length + 1
    }
    return lines.join('\n') + '\n\n'
  }
}

fs.mkdirSync(args.out, {recursive: true})
const manifestPath = path.join(args.out, 'manifest.json')
let manifest = {}
try {
  manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'))
} catch {
  manifest = {}
}
const target = Math.round(args.sizeMb * MiB)
const jobs = [
  ['small', smallEvent],
  ['large', largeEvent],
]
for (const [name, make] of jobs) {
  if (args.only && args.only !== name) continue
  const file = path.join(args.out, `${name}.sse`)
  const started = Date.now()
  // Each file has its own stream of random numbers, so generating one does not change the other.
  const result = writeFile(file, make(mulberry32(args.seed * 2 + (name === 'small' ? 0 : 1))), target)
  manifest[name] = {file: `${name}.sse`, seed: args.seed, sizeMb: args.sizeMb, ...result}
  console.error(
    `gen.mjs: ${file}: ${result.events} events, ${(result.bytes / MiB).toFixed(1)} MiB ` +
      `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
  )
}
fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n')
