// A small CLI around the OFFICIAL Durable Streams TypeScript client (@durable-streams/client,
// pinned in tests/interop), so that the CLI tests can check `sse serve --durable` against a
// real client, and `sse append` / `sse tail` against what that client writes and reads.
//
//   node ds_client.mjs append URL [--max-retries N]
//       Appends standard input. A stream whose content type (from the client's head()) is
//       application/json: each non-empty line is one JSON message (parsed first: a line
//       `[1,2]` is ONE message, the array); any invalid line fails before anything is sent.
//       Any other stream: the bytes of standard input, exactly. Writes with the client's
//       IdempotentProducer (a fresh producer id, epoch 0; it batches and pipelines), then
//       prints the final Stream-Next-Offset (the producer's lastSuccessfulOffset; the HEAD's
//       offset when there was nothing to append) on stdout.
//   node ds_client.mjs read URL [--offset OFF] [--live none|long-poll|sse] [--max-retries N]
//       Reads with the client's stream() from OFF (default -1). `none` (the default) reads up to
//       the current tail and exits; `long-poll` and `sse` run until the stream is closed (EOF),
//       then exit 0. JSON streams: each message as compact JSON, one per line. Other streams:
//       the bytes exactly as the client delivers them (binary safe, nothing added).
//   node ds_client.mjs create URL [--json | --content-type T]
//       Creates the stream (the client's create(): PUT); no content type unless given.
//
// Any error: one line `ds_client: ...` on stderr, exit 1 (2 for a usage error).
//
// The client's own behaviour is kept, with two settings: its fetch backoff (used by create and
// by every read request; it retries network errors, 429 and 503 with jittered exponential
// backoff, honouring Retry-After) gives up after --max-retries attempts (default 10, about 5 s
// in all) instead of retrying forever; and the producer's requests go through a guard that
// turns a 409 without Producer-Expected-Seq (stream closed, content type mismatch) into an
// error, because the producer 0.2.6 otherwise re-sends such a batch in a loop when its seq is
// above 0. The producer itself never retries a failed request (network error or 5xx): the
// append then fails.

import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { interop } from './interop.mjs'

const { DurableStream, IdempotentProducer, stream } = interop('@durable-streams/client')

function fail(message, status = 1) {
  process.stderr.write(`ds_client: ${String(message).replace(/\s+/g, ' ').trim()}\n`)
  process.exit(status)
}

function describe(error) {
  if (!(error instanceof Error)) return String(error)
  const parts = [error.name && error.name !== 'Error' ? `${error.name}:` : '', error.message]
  if (error.status !== undefined && !String(error.message).includes(String(error.status))) {
    parts.push(`(HTTP ${error.status})`)
  }
  if (error.code && typeof error.code === 'string' && error.code !== 'UNKNOWN') parts.push(`[${error.code}]`)
  if (error.cause) parts.push(`(cause: ${error.cause.message ?? error.cause})`)
  return parts.filter(Boolean).join(' ')
}

process.on('unhandledRejection', (error) => fail(describe(error)))
process.on('uncaughtException', (error) => fail(describe(error)))
process.stdout.on('error', (error) => fail(`stdout: ${error.message}`))

const usage =
  'usage: node ds_client.mjs append URL | read URL [--offset OFF] [--live none|long-poll|sse] | ' +
  'create URL [--json|--content-type T]  (all: [--max-retries N])'

let parsed
try {
  // `--offset -1`: parseArgs would call a value starting with `-` ambiguous; join it.
  const args = process.argv.slice(2)
  for (let i = 0; i < args.length - 1; i++) {
    if (['--offset', '--content-type', '--live', '--max-retries'].includes(args[i])) {
      args.splice(i, 2, `${args[i]}=${args[i + 1]}`)
    }
  }
  parsed = parseArgs({
    args,
    allowPositionals: true,
    options: {
      offset: { type: 'string', default: '-1' },
      live: { type: 'string', default: 'none' },
      json: { type: 'boolean', default: false },
      'content-type': { type: 'string' },
      'max-retries': { type: 'string', default: '10' },
    },
  })
} catch (error) {
  fail(`${error.message}; ${usage}`, 2)
}
const { values, positionals } = parsed
const [command, url, ...extra] = positionals
if (!command || !url || extra.length > 0) fail(usage, 2)
if (!['none', 'long-poll', 'sse'].includes(values.live)) fail(`--live must be none, long-poll or sse; ${usage}`, 2)
if (values.json && values['content-type'] !== undefined) fail('--json and --content-type exclude each other', 2)
const maxRetries = Number(values['max-retries'])
if (!Number.isInteger(maxRetries) || maxRetries < 0) fail('--max-retries must be a whole number', 2)
const backoffOptions = { initialDelay: 100, maxDelay: 2000, multiplier: 1.3, maxRetries }

// The media type, lower case, without parameters (as the client's producer compares it).
const mediaType = (contentType) => (contentType ?? '').split(';')[0].trim().toLowerCase()

// Writes to stdout, waiting for it to drain when it is full.
function write(chunk) {
  if (process.stdout.write(chunk)) return undefined
  return new Promise((resolve) => process.stdout.once('drain', resolve))
}

// Exits once everything written to stdout has been handed to the OS.
function finish() {
  process.stdout.write('', () => process.exit(0))
}

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return Buffer.concat(chunks)
}

// The producer's fetch: a 409 that is no sequence gap (no Producer-Expected-Seq) is final.
async function guardedFetch(...args) {
  const response = await fetch(...args)
  if (response.status === 409 && !response.headers.has('producer-expected-seq')) {
    const closed = response.headers.get('stream-closed')?.toLowerCase() === 'true'
    const body = (await response.text().catch(() => '')).slice(0, 200)
    throw new Error(`append refused: HTTP 409${closed ? ', the stream is closed' : ''}${body ? `: ${body}` : ''}`)
  }
  return response
}

async function append() {
  const handle = new DurableStream({ url, backoffOptions })
  const head = await handle.head()
  if (!head.exists) throw new Error(`no stream at ${url} (HTTP 404)`)
  if (head.streamClosed) throw new Error(`the stream is closed (its final offset: ${head.offset})`)
  const input = await readStdin()

  const messages = []
  if (mediaType(head.contentType) === 'application/json') {
    const lines = input.toString('utf8').split('\n')
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim()
      if (line === '') continue
      try {
        JSON.parse(line)
      } catch (error) {
        throw new Error(`line ${i + 1} is not JSON (${error.message}): ${line.slice(0, 80)}`)
      }
      // Sent as is: the producer writes a batch as `[m1,m2,...]`, which the server unwraps
      // once, so each line stays one message.
      messages.push(line)
    }
  } else {
    // Bytes: the producer concatenates a batch's pieces; 256 KiB pieces keep each request
    // near its 1 MiB batch limit however large the input.
    for (let at = 0; at < input.length; at += 256 * 1024) {
      messages.push(input.subarray(at, Math.min(at + 256 * 1024, input.length)))
    }
  }

  let firstError = null
  const producer = new IdempotentProducer(handle, `ds_client-${randomUUID()}`, {
    epoch: 0,
    fetch: guardedFetch,
    onError: (error) => {
      firstError ??= error
    },
  })
  for (const message of messages) producer.append(message)
  // flush() resolves even when a batch failed: failures arrive only through onError.
  await producer.flush()
  if (firstError) throw firstError
  let offset = producer.lastSuccessfulOffset
  if (offset === undefined) offset = (await handle.head()).offset
  process.stdout.write(`${offset ?? ''}\n`)
}

async function read() {
  const live = values.live === 'none' ? false : values.live
  let offset = values.offset
  for (;;) {
    const response = await stream({ url, offset, live, backoffOptions })
    // The client's own test for JSON mode (stream-api: content type includes application/json).
    const json = response.contentType?.includes('application/json') ?? false
    // (Not subscribeJson/subscribeBytes: their session's `closed` resolves before the last
    // callback has run. The async iterators end only after the last item.)
    if (json) {
      for await (const item of response.jsonStream()) await write(JSON.stringify(item) + '\n')
    } else {
      for await (const chunk of response.bodyStream()) {
        if (chunk.length > 0) await write(chunk)
      }
    }
    // With live: false the client 0.2.6 makes ONE request, even when the answer is a partial
    // chunk (no Stream-Up-To-Date): a new session goes on from where it stopped, until the tail.
    if (live !== false || response.upToDate || response.streamClosed) return
    if (response.offset === offset) throw new Error(`no progress at offset ${offset} before the tail`)
    offset = response.offset
  }
}

async function create() {
  const contentType = values.json ? 'application/json' : values['content-type']
  await DurableStream.create({ url, contentType, backoffOptions })
}

const commands = { append, read, create }
if (!commands[command]) fail(`unknown command '${command}'; ${usage}`, 2)
try {
  await commands[command]()
} catch (error) {
  fail(describe(error))
}
finish()
