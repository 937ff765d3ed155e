#!/usr/bin/env node
// Seeded random event streams for the differential test against eventsource-parser: random
// mixes of data/event/id/retry/unknown fields, lines without a colon, comments, blank lines,
// LF/CR/CRLF line ends (one style or mixed), leading BOMs (whole or truncated) and BOMs
// elsewhere, NUL and other control characters, invalid UTF-8 (stray continuation bytes,
// truncated, overlong, surrogate and out-of-range sequences), U+2028/U+2029/U+0085, and
// streams that end without a blank line, without a line end, in a CR or inside a UTF-8 sequence.
// The first files are fixed edge cases; the rest are random.
//
// Excluded, and only these: the constructs in deviations.mjs where eventsource-parser
// knowingly differs from the WHATWG rules (D1 a stream starting with two BOMs, D2 a stream
// starting with the text "ï»¿"). A random stream that would start with one is drawn again;
// the number redrawn is printed on stderr. D3 (retry placement) is handled by the
// comparison, not here: retry lines are generated.
//
// Usage: node random-streams.mjs --out DIR [--count N] [--seed S] [--only I]
// Writes DIR/0000.sse ... (N files, default 300, seed default 1). File I depends only on the
// seed and I, so `--only I` rewrites that one file for a reproduction.

import fs from 'node:fs'
import path from 'node:path'
import {deviations} from './deviations.mjs'
import {mulberry32} from './mulberry32.mjs'

const args = {out: null, count: 300, seed: 1, only: null}
const argv = process.argv.slice(2)
for (let i = 0; i < argv.length; i++) {
  const value = () => argv[++i]
  if (argv[i] === '--out') args.out = value()
  else if (argv[i] === '--count') args.count = Number(value())
  else if (argv[i] === '--seed') args.seed = Number(value())
  else if (argv[i] === '--only') args.only = Number(value())
  else {
    console.error(`random-streams.mjs: unknown argument ${argv[i]}`)
    process.exit(2)
  }
}
if (!args.out || !Number.isInteger(args.count) || !Number.isInteger(args.seed)) {
  console.error('usage: node random-streams.mjs --out DIR [--count N] [--seed S] [--only I]')
  process.exit(2)
}

const b = (...bytes) => Buffer.from(bytes)
const s = (text) => Buffer.from(text, 'utf8')
const BOM = b(0xef, 0xbb, 0xbf)

// Pieces of field values (and of odd field names): bytes, valid or not.
const PIECES = [
  ...'abcxyzABC0123456789 _-.,{}[]'.split('').map(s),
  s(' '), s('  '), s(':'), s(': '), s('\t'), s('"'), s('\\'), s('/'), s('\\n'), s('data: x'),
  b(0x00), b(0x01), b(0x08), b(0x0b), b(0x0c), b(0x1b), b(0x1f), b(0x7f),
  s('é'), s('€'), s('😀'), s('日本'), s('\u00a0'), s('\ufffd'),
  s('\u2028'), s('\u2029'), s('\u0085'), BOM,
  // invalid UTF-8: stray continuation bytes, lone lead bytes, truncated sequences, overlong
  // forms, UTF-16 surrogates, beyond U+10FFFF, bytes that never appear
  b(0x80), b(0xbf), b(0xc2), b(0xc0, 0xaf), b(0xc1, 0xbf), b(0xe2, 0x82), b(0xe0, 0x80, 0x80),
  b(0xe0, 0x9f, 0xbf), b(0xed, 0xa0, 0x80), b(0xed, 0xbf, 0xbf), b(0xf0, 0x9f, 0x98),
  b(0xf0, 0x80, 0x80, 0x80), b(0xf4, 0x90, 0x80, 0x80), b(0xf5, 0x80), b(0xfe), b(0xff),
  b(0xef, 0xbb), b(0xe2, 0x80, 0xe2, 0x80, 0xa8),
]
const NAMES = ['data', 'event', 'id', 'retry'].map(s)
const ODD_NAMES = [
  'Data', 'DATA', 'dat', 'datax', 'data ', ' data', 'ev', 'eventt', 'ID', 'i', 'idd', 'retr',
  'retryy', 'foo', 'x', '\u00a0data', 'd\u0000ata', 'data\u0000', '\ufeffdata', '\ufeffid',
  '\ufeffevent', '\ufeff', '\u2028', '\ufffddata',
].map(s)
const RETRY_VALUES = [
  '0', '1', '100', '3000', '007', '4294967296', '18446744073709551615', '', ' 5', '5 ', '-1',
  '+1', '1.5', '1e3', '0x10', 'abc', '５', '٣', '10\u0000',
].map(s)
const ENDS = {lf: [s('\n')], crlf: [s('\r\n')], cr: [s('\r')], mixed: [s('\n'), s('\r\n'), s('\r')]}

function generate(random) {
  const pick = (list) => list[Math.floor(random() * list.length)]
  const chance = (p) => random() < p
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1))
  const value = (maxPieces) => {
    const parts = []
    for (let n = int(0, maxPieces); n > 0; n--) parts.push(pick(PIECES))
    return Buffer.concat(parts)
  }
  const ends = ENDS[pick(['lf', 'lf', 'lf', 'crlf', 'crlf', 'cr', 'mixed', 'mixed'])]
  const eol = () => pick(ends)
  const out = []
  const r = random()
  if (r < 0.25) out.push(BOM)
  else if (r < 0.28) out.push(b(0xef))
  else if (r < 0.31) out.push(b(0xef, 0xbb))
  else if (r < 0.33) out.push(BOM, s('\n'))

  const separator = () => pick([':', ':', ': ', ': ', ': ', ':  ', ':\t', '::'].map(s))
  const line = () => {
    const k = random()
    if (k < 0.34) return [s('data'), separator(), value(8)]
    if (k < 0.44) return [s('event'), separator(), value(4)]
    if (k < 0.52) return [s('id'), separator(), chance(0.15) ? Buffer.concat([value(2), b(0), value(2)]) : value(4)]
    if (k < 0.6) return [s('retry'), separator(), pick(RETRY_VALUES)]
    if (k < 0.7) return [s(':'), value(6)] // comment
    if (k < 0.77) return [pick(NAMES)] // a field without a colon: empty value
    if (k < 0.87) return [pick(ODD_NAMES), separator(), value(4)]
    if (k < 0.92) return [value(3)] // anything, colon or not
    return [pick(NAMES), s(':'), value(2), s(':'), value(2)]
  }
  const blocks = int(0, 7)
  for (let i = 0; i < blocks; i++) {
    for (let n = int(0, 5); n > 0; n--) out.push(...line(), eol())
    out.push(eol()) // the blank line that dispatches
    if (chance(0.1)) out.push(eol())
  }
  // How the stream ends: cleanly, or in the middle of something.
  const tail = random()
  if (tail < 0.15) out.push(...line(), eol()) // an unterminated block: discarded
  else if (tail < 0.25) out.push(...line()) // no line end at all
  else if (tail < 0.3) out.push(s('data: x'), s('\r')) // CR at the very end ends the line
  else if (tail < 0.35) out.push(s('data: x\n'), s('\r')) // ... and then is a blank line
  else if (tail < 0.4) out.push(s('data: x\n\n'), pick([b(0xe2), b(0xe2, 0x82), b(0xf0, 0x9f, 0x98)]))
  else if (tail < 0.45) out.push(s('data: '), b(0xe2, 0x82), s('\n\n')) // truncated before EOL
  return Buffer.concat(out)
}

// Fixed edge cases, first, so that they are compared on every run whatever the seed.
const FIXED = [
  s('id: 1\n\ndata: a\n\nid\n\ndata: b\n\nid: 2\u0000\n\ndata: c\n\n'), // the last event ID persists
  s('data: a\nid: 7\n\nevent: e\n\ndata: b\n\n'), // type reset after a block without data
  s('data\n\ndata:\n\ndata: \n\ndata:  x\n\n'), // empty data lines still dispatch
  s('data: a\r\rdata: b\r\n\r\ndata: c\n\r\n'), // CR, CRLF, LF mixed
  s('data: x\n\r'), // a CR at the end of the stream is a line end
  s('data: x\n'), // no blank line: discarded
  Buffer.concat([BOM, s('data: 1\n\n'), BOM, s('data: 2\n\ndata: 3\n\n')]), // WPT format-bom
  Buffer.concat([b(0xef, 0xbb), s('data: 1\n\ndata: 2\n\n')]), // a truncated BOM is not one
  Buffer.concat([b(0xff, 0xfe), s('data: 1\n\ndata: 2\n\n')]), // WPT format-bom-utf-16
  Buffer.concat([s('data: '), b(0xe2, 0x80, 0xa8), s(' '), b(0xc2, 0x85), s('\n\n')]), // not line ends
  Buffer.concat([s('data: '), b(0xf0, 0x80, 0x80, 0x80, 0xed, 0xa0, 0x80, 0xe0, 0x80), s('\n\n')]),
  Buffer.concat([s('event: '), b(0x00, 0x1f, 0x7f), s('\ndata: "\\\t\b\f\n\n')]),
  s(':comment\n: comment\ndata: a\n:\n\n'),
  s('retry: 100\ndata: a\n\nretry: x\ndata: b\n\nretry: 5\n\ndata: c\n\n'),
  s('data:a\n\ndata: a\n\ndata:  a\n\n'),
  s('\n\n\r\r\r\n\r\n'),
]

fs.mkdirSync(args.out, {recursive: true})
let redrawn = 0
for (let i = 0; i < args.count; i++) {
  if (args.only !== null && i !== args.only) continue
  let bytes
  if (i < FIXED.length) {
    bytes = FIXED[i]
    if (deviations(bytes).length > 0) throw new Error(`fixed case ${i} has a known deviation`)
  } else {
    const random = mulberry32((args.seed * 1000003 + i) >>> 0)
    bytes = generate(random)
    while (deviations(bytes).length > 0) {
      redrawn++
      bytes = generate(random)
    }
  }
  fs.writeFileSync(path.join(args.out, `${String(i).padStart(4, '0')}.sse`), bytes)
}
if (redrawn > 0) {
  console.error(`random-streams.mjs: ${redrawn} stream(s) drawn again for starting with a known deviation (D1/D2)`)
}
