// The TypeScript side of bench/append: the official Durable Streams client
// (@durable-streams/client, pinned in tests/interop) appending the lines of FILE, each line one
// JSON message, to a new JSON stream at URL.
//
//   node ts_append.mjs URL FILE await      DurableStream.create(), then `await append(line)` for
//                                          each line: one message, one POST, one at a time
//   node ts_append.mjs URL FILE producer   IdempotentProducer (its defaults: 5 ms linger, 1 MiB
//                                          batches, 5 in flight): append() every line, flush()
//
// Prints one line `messages=N seconds=S` (S: from the first append to the last answer; the
// stream's creation and reading FILE are not counted). Any error: a line on stderr, exit 1.

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(new URL('../../tests/interop/package.json', import.meta.url))
let client
try {
  client = require('@durable-streams/client')
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND') throw error
  console.error('@durable-streams/client is not installed; install it with:  npm ci --prefix tests/interop')
  process.exit(2)
}
const { DurableStream, IdempotentProducer } = client

const [url, file, mode] = process.argv.slice(2)
if (!url || !file || !['await', 'producer'].includes(mode)) {
  console.error('usage: node ts_append.mjs URL FILE await|producer')
  process.exit(2)
}

try {
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line !== '')
  const handle = await DurableStream.create({ url, contentType: 'application/json' })
  const start = performance.now()
  if (mode === 'await') {
    for (const line of lines) await handle.append(line)
  } else {
    let failure = null
    const producer = new IdempotentProducer(handle, `bench-${process.pid}`, {
      onError: (error) => {
        failure ??= error
      },
    })
    for (const line of lines) producer.append(line)
    await producer.flush() // resolves even when a batch failed: failures come through onError
    if (failure) throw failure
  }
  const seconds = (performance.now() - start) / 1000
  console.log(`messages=${lines.length} seconds=${seconds.toFixed(6)}`)
} catch (error) {
  console.error(`ts_append (${mode}): ${String(error?.message ?? error).replace(/\s+/g, ' ')}`)
  process.exit(1)
}
