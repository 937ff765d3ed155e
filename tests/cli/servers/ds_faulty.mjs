// A fault-injecting HTTP/1.1 reverse proxy for the Durable Streams tests: it forwards every
// request to the upstream server (method, path and query, headers, the body streamed) and
// relays the answer as it comes (SSE included), except where told to fail:
//
//   node ds_faulty.mjs --upstream http://127.0.0.1:PORT [--drop-every N]
//       [--drop-after-forward-every N] [--unavailable-every N] [--retry-after SECONDS]
//       [--cut-sse-after-bytes N]
//
//   --drop-every N                 every Nth request: its socket is destroyed before anything
//                                  is forwarded (the server never sees it)
//   --drop-after-forward-every N   every Nth request: forwarded, the upstream's answer read to
//                                  its end, then the client's socket is destroyed without an
//                                  answer (the server did it, the acknowledgement was lost)
//   --unavailable-every N          every Nth request: `503` with `Retry-After: SECONDS`
//                                  (--retry-after, default 0), not forwarded
//   --cut-sse-after-bytes N        each `text/event-stream` answer: the client's socket is
//                                  destroyed once N body bytes (N=0: just the headers) have
//                                  been relayed
//
// Requests are numbered from 1, all of them (any method, any path, faulted or not), and each
// fault kind with an N hits the requests whose number is a multiple of its N; when two kinds
// hit the same request, drop wins over unavailable, and unavailable over drop-after-forward.
// Each injected fault is logged as one line on stderr: `fault: KIND METHOD PATH` (KIND: drop,
// unavailable, drop-after-forward, cut-sse), e.g. `fault: drop POST /v1/stream/x`, with details
// after it in parentheses, so that a test can check that the fault happened.
//
// Listens on 127.0.0.1, port 0 (a free one), and prints exactly one line
// `listening on http://127.0.0.1:PORT` on stderr when ready; stops on SIGTERM or SIGINT (exit 0).
// Dependency free: node:http only.

import http from 'node:http'
import { parseArgs } from 'node:util'

function usage(message) {
  process.stderr.write(
    `ds_faulty: ${message}\nusage: node ds_faulty.mjs --upstream http://127.0.0.1:PORT [--drop-every N] ` +
      '[--drop-after-forward-every N] [--unavailable-every N] [--retry-after SECONDS] [--cut-sse-after-bytes N]\n',
  )
  process.exit(2)
}

let values
try {
  ;({ values } = parseArgs({
    options: {
      upstream: { type: 'string' },
      'drop-every': { type: 'string' },
      'drop-after-forward-every': { type: 'string' },
      'unavailable-every': { type: 'string' },
      'retry-after': { type: 'string', default: '0' },
      'cut-sse-after-bytes': { type: 'string' },
    },
  }))
} catch (error) {
  usage(error.message)
}

function count(name, { positive }) {
  const text = values[name]
  if (text === undefined) return null
  if (!/^[0-9]+$/.test(text) || (positive && Number(text) === 0)) {
    usage(`--${name} must be a whole number${positive ? ' above 0' : ''}, not '${text}'`)
  }
  return Number(text)
}

if (!values.upstream) usage('--upstream is required')
let upstream
try {
  upstream = new URL(values.upstream)
} catch {
  usage(`--upstream is not a URL: ${values.upstream}`)
}
if (upstream.protocol !== 'http:') usage('--upstream must be an http:// URL')
const dropEvery = count('drop-every', { positive: true })
const dropAfterForwardEvery = count('drop-after-forward-every', { positive: true })
const unavailableEvery = count('unavailable-every', { positive: true })
const retryAfter = count('retry-after', { positive: false })
const cutSseAfter = count('cut-sse-after-bytes', { positive: false })

// Hop-by-hop headers (RFC 9110 7.6.1) are not forwarded, in either direction.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])
function endToEnd(headers) {
  const out = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!hopByHop.has(name)) out[name] = value
  }
  return out
}

const agent = new http.Agent({ keepAlive: true })
const fault = (kind, req, detail = '') =>
  process.stderr.write(`fault: ${kind} ${req.method} ${req.url}${detail ? ` (${detail})` : ''}\n`)
const hits = (every, n) => every !== null && n % every === 0

let requests = 0

function forward(req, res, n) {
  const dropAfter = hits(dropAfterForwardEvery, n)
  const upstreamReq = http.request({
    host: upstream.hostname,
    port: upstream.port || 80,
    method: req.method,
    path: req.url,
    headers: endToEnd(req.headers),
    agent,
  })
  // The client went away (or was dropped): the upstream request goes too.
  res.on('close', () => {
    if (!res.writableFinished) upstreamReq.destroy()
  })
  upstreamReq.on('error', (error) => {
    if (req.socket.destroyed) return
    if (!res.headersSent) {
      res.writeHead(502, { 'Content-Type': 'text/plain' })
      res.end(`ds_faulty: upstream: ${error.message}\n`)
    } else {
      req.socket.destroy()
    }
  })
  upstreamReq.on('response', (upstreamRes) => {
    if (dropAfter) {
      // Read the whole answer, then leave the client without one.
      upstreamRes.resume()
      upstreamRes.on('end', () => {
        fault('drop-after-forward', req, `upstream answered ${upstreamRes.statusCode}`)
        req.socket.destroy()
      })
      return
    }
    res.writeHead(upstreamRes.statusCode, upstreamRes.statusMessage, endToEnd(upstreamRes.headers))
    res.flushHeaders()
    const sse = (upstreamRes.headers['content-type'] ?? '').toLowerCase().startsWith('text/event-stream')
    if (!sse || cutSseAfter === null) {
      upstreamRes.pipe(res)
      return
    }
    // An SSE answer relayed up to cutSseAfter body bytes, then cut.
    let relayed = 0
    const cut = () => {
      fault('cut-sse', req, `after ${relayed} bytes`)
      upstreamRes.destroy()
      upstreamReq.destroy()
      req.socket.destroy()
    }
    if (cutSseAfter === 0) {
      req.socket.write('', cut) // once the headers have left
      return
    }
    upstreamRes.on('data', (chunk) => {
      if (relayed >= cutSseAfter) return
      const room = cutSseAfter - relayed
      if (chunk.length < room) {
        relayed += chunk.length
        if (!res.write(chunk)) {
          upstreamRes.pause()
          res.once('drain', () => upstreamRes.resume())
        }
        return
      }
      relayed += room
      upstreamRes.pause()
      res.write(chunk.subarray(0, room), cut)
    })
    upstreamRes.on('end', () => {
      if (relayed < cutSseAfter) res.end()
    })
  })
  req.pipe(upstreamReq)
}

const server = http.createServer((req, res) => {
  const n = ++requests
  if (hits(dropEvery, n)) {
    fault('drop', req)
    req.socket.destroy()
    return
  }
  if (hits(unavailableEvery, n)) {
    fault('unavailable', req, `Retry-After: ${retryAfter}`)
    req.resume() // the body is read and dropped, so the connection stays usable
    res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': String(retryAfter) })
    res.end('unavailable (ds_faulty)\n')
    return
  }
  forward(req, res, n)
})
server.keepAliveTimeout = 30_000

server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`listening on http://127.0.0.1:${server.address().port}\n`)
})

function stop() {
  server.close()
  server.closeAllConnections()
  agent.destroy()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
