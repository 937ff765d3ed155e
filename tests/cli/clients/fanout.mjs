// COUNT concurrent plain HTTP clients of one event stream (node:http, one socket each). It
// prints {"connected": COUNT} once every client has its 200 response head (so the server has
// them all), then waits until each has received the event with id LAST, and checks that every
// client got exactly the ids 1..LAST in order, each with data "event ID" (and, when the lines
// were padded, a space and anything after it). Prints a summary;
// exit 0 when all are complete, 1 otherwise or after --timeout MS.
//
//   node fanout.mjs URL COUNT LAST [--timeout MS]

import http from 'node:http'
import { emit, deadline } from './interop.mjs'

const [url, countText, lastText, ...rest] = process.argv.slice(2)
const count = Number(countText)
const last = Number(lastText)
if (!url || !(count > 0) || !(last > 0)) {
  console.error('usage: node fanout.mjs URL COUNT LAST [--timeout MS]')
  process.exit(2)
}
const timeout = rest[0] === '--timeout' ? Number(rest[1]) : 8000

let connected = 0
let complete = 0
const failures = []
const clients = []

function summary() {
  const progress = clients.map((c) => c.ids.length)
  return {
    clients: count,
    connected,
    complete,
    fewest: Math.min(...progress),
    most: Math.max(...progress),
    failures: failures.slice(0, 5),
    failed: failures.length,
  }
}

function fail(client, what) {
  if (client.failed || client.done) return
  client.failed = true
  failures.push({ client: client.n, what })
  client.request.destroy()
  settle()
}

function settle() {
  if (complete + failures.length === count) {
    emit(summary())
    process.exit(failures.length === 0 ? 0 : 1)
  }
}

// Just enough of the event-stream format for what sse serve writes from lines: "field: value"
// lines, blocks ending at a blank line, comments ignored.
function received(client, text) {
  client.pending += text
  let end
  while ((end = client.pending.indexOf('\n')) >= 0) {
    const line = client.pending.slice(0, end)
    client.pending = client.pending.slice(end + 1)
    if (line === '') {
      if (client.data !== undefined) dispatch(client)
      client.data = undefined
    } else if (line.startsWith('id: ')) {
      client.id = line.slice(4)
    } else if (line.startsWith('data: ')) {
      client.data = client.data === undefined ? line.slice(6) : client.data + '\n' + line.slice(6)
    }
  }
}

function dispatch(client) {
  const expected = client.ids.length + 1
  const data = `event ${expected}`
  if (client.id !== String(expected) || !(client.data === data || client.data.startsWith(data + ' '))) {
    fail(client, `expected id ${expected} with data "event ${expected}", got id ${client.id} with data ${JSON.stringify(client.data.slice(0, 40))}`)
    return
  }
  client.ids.push(expected)
  if (expected === last) {
    client.done = true
    ++complete
    client.request.destroy()
    settle()
  }
}

deadline(timeout, summary)
for (let n = 0; n < count; ++n) {
  const client = { n, ids: [], pending: '', id: undefined, data: undefined, failed: false, done: false }
  clients.push(client)
  client.request = http.get(url, { agent: false, headers: { Accept: 'text/event-stream' } }, (response) => {
    if (response.statusCode !== 200) {
      fail(client, `HTTP ${response.statusCode}`)
      return
    }
    response.setEncoding('utf8')
    response.on('data', (text) => received(client, text))
    response.on('end', () => fail(client, `the stream ended after ${client.ids.length} events`))
    if (++connected === count) emit({ connected })
  })
  client.request.on('error', (error) => fail(client, `${error.code ?? ''} ${error.message}`))
}
