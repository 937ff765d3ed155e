#!/usr/bin/env node
// Writes the benchmark input, seeded so every machine measures the same bytes: one snapshot
// event with a 10,000-key object, then EVENTS small JSON patch events as NDJSON, the form
// `sse parse` writes (data is the patch as JSON text):
//   70% replace a number inside one item     [{"op":"replace","path":"/k123/n","value":7}]
//   10% add a member to one item             [{"op":"add","path":"/k123/note","value":"..."}]
//   10% remove a member added before         [{"op":"remove","path":"/k123/note"}]
//   10% test, then replace (two operations)  [{"op":"test",...},{"op":"replace",...}]
// Usage: node gen.mjs --out FILE [--events N] [--keys N]

import fs from 'node:fs'

const argv = process.argv.slice(2)
const option = (name, fallback) => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : fallback
}
const out = option('--out')
const events = Number(option('--events', 1000000))
const keys = Number(option('--keys', 10000))
if (!out) {
  console.error('usage: node gen.mjs --out FILE [--events N] [--keys N]')
  process.exit(2)
}

let a = 42
function rand() {
  a = (a + 0x6d2b79f5) >>> 0
  let t = a
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const state = {}
const values = []
const noted = new Set()
for (let i = 0; i < keys; i++) {
  state[`k${i}`] = {n: i, name: `item ${i}`, tags: ['a', 'b']}
  values.push(i)
}
const fd = fs.openSync(out, 'w')
let buffer = JSON.stringify({event: 'snapshot', data: JSON.stringify(state)}) + '\n'
for (let e = 0; e < events; e++) {
  const r = rand()
  const k = Math.floor(rand() * keys)
  const v = Math.floor(rand() * 1000000)
  let ops
  if (r < 0.7) {
    ops = [{op: 'replace', path: `/k${k}/n`, value: v}]
    values[k] = v
  } else if (r < 0.8) {
    ops = [{op: 'add', path: `/k${k}/note`, value: `note ${v}`}]
    noted.add(k)
  } else if (r < 0.9 && noted.size > 0) {
    const key = noted.values().next().value
    noted.delete(key)
    ops = [{op: 'remove', path: `/k${key}/note`}]
  } else {
    ops = [{op: 'test', path: `/k${k}/n`, value: values[k]}, {op: 'replace', path: `/k${k}/n`, value: v}]
    values[k] = v
  }
  buffer += JSON.stringify({event: 'patch', data: JSON.stringify(ops)}) + '\n'
  if (buffer.length > 1 << 20) {
    fs.writeSync(fd, buffer)
    buffer = ''
  }
}
fs.writeSync(fd, buffer)
fs.closeSync(fd)
