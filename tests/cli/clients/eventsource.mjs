// A WHATWG EventSource client (the npm `eventsource` package, pinned in tests/interop) that
// prints what it sees as NDJSON on stdout: {"open": N} for each opened connection,
// {"id", "data"} for each message and {"error": TEXT} for each error event. It stops (exit 0)
// after the message whose lastEventId is LAST, or fails (exit 1) after --timeout MS.
//
//   node eventsource.mjs URL LAST [--timeout MS]

import { emit, deadline, interop } from './interop.mjs'

const { EventSource } = interop('eventsource')
const [url, last, ...rest] = process.argv.slice(2)
if (!url || !last) {
  console.error('usage: node eventsource.mjs URL LAST [--timeout MS]')
  process.exit(2)
}
const timeout = rest[0] === '--timeout' ? Number(rest[1]) : 8000

let opens = 0
let messages = 0
const source = new EventSource(url)
deadline(timeout, () => ({ opens, messages }))
source.addEventListener('open', () => emit({ open: ++opens }))
source.addEventListener('error', (event) => emit({ error: event.message ?? 'error', code: event.code }))
source.addEventListener('message', (event) => {
  ++messages
  emit({ id: event.lastEventId, data: event.data })
  if (event.lastEventId === last) {
    source.close()
    process.exit(0)
  }
})
