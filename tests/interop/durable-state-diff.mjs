#!/usr/bin/env node
// Differential test: Durable State messages applied by `sse patch` and by the MaterializedState
// class of the npm @durable-streams/state package (version pinned in package-lock.json) must
// give the same state after every event.
//
// Each of COUNT seeded random sequences holds 1 to 40 events; an event is one message or a
// batch (an array, as a Durable Streams JSON stream delivers them) of insert, update, upsert and
// delete changes over a few types and keys, and snapshot-start, snapshot-end and reset control
// messages, sent as `data` or `message` events with the payload as a JSON string or embedded
// JSON. The reference side applies each change with MaterializedState.apply and a reset with
// clear() (what StreamDB does for it; the snapshot markers are hints); the state compared is
// {TYPE: {KEY: VALUE}} built from its types and getType().
//
// Usage: node durable-state-diff.mjs SSE_BINARY [--seed N] [--count N] [--only I]
// Prints the first differences with the sequence that shows them, and a summary line
// "N passed, N failed"; exits 1 when a sequence differs.

import {spawnSync} from 'node:child_process'
import {isDeepStrictEqual} from 'node:util'
import {MaterializedState} from '@durable-streams/state'
import {mulberry32} from './mulberry32.mjs'

const argv = process.argv.slice(2)
const sse = argv.shift()
const option = (name, fallback) => {
  const i = argv.indexOf(name)
  return i >= 0 ? Number(argv[i + 1]) : fallback
}
const seed = option('--seed', 1)
const count = option('--count', 2000)
const only = option('--only', -1)
if (!sse) {
  console.error('usage: node durable-state-diff.mjs SSE_BINARY [--seed N] [--count N] [--only I]')
  process.exit(2)
}

const types = ['user', 'room', 'msg', 'a/b~c', 'ünï']
const keys = ['1', '2', '3', '4', 'x', '', 'k/~', '😀']

function makeValue(rand, depth = 0) {
  const pick = Math.floor(rand() * (depth > 2 ? 5 : 7))
  switch (pick) {
    case 0: return null
    case 1: return rand() < 0.5
    case 2: return Math.floor(rand() * 2000) - 1000
    case 3: return Math.round(rand() * 1e6) / 100
    case 4: return ['', 'text', 'line\nbreak', 'quote"', 'ünïcödé'][Math.floor(rand() * 5)]
    case 5: return Array.from({length: Math.floor(rand() * 4)}, () => makeValue(rand, depth + 1))
    default: {
      const object = {}
      for (let i = Math.floor(rand() * 4); i > 0; i--) object[`f${Math.floor(rand() * 5)}`] = makeValue(rand, depth + 1)
      return object
    }
  }
}

function makeMessage(rand) {
  const r = rand()
  if (r < 0.08) {
    const control = ['snapshot-start', 'snapshot-end', 'reset'][Math.floor(rand() * 3)]
    const message = {headers: {control}}
    if (rand() < 0.5) message.headers.offset = `${Math.floor(rand() * 100)}_0`
    return message
  }
  const operation = ['insert', 'update', 'upsert', 'delete', 'delete'][Math.floor(rand() * 5)]
  const message = {
    type: types[Math.floor(rand() * types.length)],
    key: keys[Math.floor(rand() * keys.length)],
    headers: {operation},
  }
  if (operation !== 'delete' || rand() < 0.3) message.value = operation === 'delete' ? null : makeValue(rand)
  if (rand() < 0.2) message.old_value = makeValue(rand)
  if (rand() < 0.2) message.headers.txid = `t${Math.floor(rand() * 10)}`
  return message
}

function makeSequence(index) {
  const rand = mulberry32(seed * 1000003 + index)
  const events = []
  for (let n = 1 + Math.floor(rand() * 40); n > 0; n--) {
    const payload = rand() < 0.25
      ? Array.from({length: 1 + Math.floor(rand() * 4)}, () => makeMessage(rand))
      : makeMessage(rand)
    events.push({
      event: rand() < 0.5 ? 'data' : 'message',
      data: rand() < 0.5 ? JSON.stringify(payload) : payload,
    })
  }
  return events
}

function reference(events) {
  const state = new MaterializedState()
  const states = []
  for (const event of events) {
    const payload = typeof event.data === 'string' ? JSON.parse(event.data) : event.data
    for (const message of Array.isArray(payload) ? payload : [payload]) {
      if ('operation' in message.headers) state.apply(message)
      else if (message.headers.control === 'reset') state.clear()
    }
    states.push(Object.fromEntries(state.types.map((type) => [type, Object.fromEntries(state.getType(type))])))
  }
  return states
}

let passed = 0
let failed = 0
for (let index = 0; index < count; index++) {
  if (only >= 0 && index !== only) continue
  const events = makeSequence(index)
  const input = events.map((event) => JSON.stringify(event)).join('\n') + '\n'
  const expected = reference(events)
  const result = spawnSync(sse, ['patch', '--apply=durable'], {input, encoding: 'utf8', timeout: 10000})
  let problem = ''
  if (result.status !== 0) {
    problem = `exit ${result.status}: ${result.stderr}`
  } else {
    const lines = result.stdout.trimEnd().split('\n')
    if (lines.length !== expected.length) {
      problem = `${lines.length} states for ${expected.length} events`
    } else {
      for (let i = 0; i < lines.length; i++) {
        const ours = JSON.parse(lines[i])
        if (!isDeepStrictEqual(ours, expected[i])) {
          problem = `after event ${i + 1}:\n  sse patch:          ${lines[i]}\n  MaterializedState:  ${JSON.stringify(expected[i])}`
          break
        }
      }
    }
  }
  if (problem === '') {
    passed++
  } else {
    failed++
    if (failed <= 5) {
      console.log(`sequence ${index} (seed ${seed}) differs: ${problem}`)
      console.log(`  input:\n${input.split('\n').map((line) => '    ' + line).join('\n')}`)
      console.log(`  reproduce: node tests/interop/durable-state-diff.mjs SSE --seed ${seed} --count ${count} --only ${index}`)
    }
  }
}
console.log(`durable state (seed ${seed}): ${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
