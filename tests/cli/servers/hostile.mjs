// A hostile HTTP/1.1 server for the tests of the clients' limits: it speaks raw TCP, so it can
// send what node:http never would.
//
//   node hostile.mjs --mode MODE [--bytes N] [--line-bytes N] [--accept-posts N]
//
//   --mode headers     a 200 whose header lines (each --line-bytes long, default 100) go on
//                      for --bytes in all (default 64 MiB) before the head ends
//   --mode long-line   a 200 whose one header line goes on for --bytes without ending
//   --mode stall       every request: 200, Stream-Next-Offset 0000000000000000_0000000000000000,
//                      no body and no Stream-Up-To-Date (a Durable Streams read that never moves)
//   --mode 413         HEAD: a text/plain Durable Streams stream; the first --accept-posts POSTs
//                      (default 0) are read and answered 200 with the next offset; every later
//                      POST is answered 413 as soon as its head is in, and its body is not read
//
// Every request head received is logged as one line `request: METHOD TARGET` on stderr, and
// every early 413 as `answered 413 early after N body bytes`. Listens on 127.0.0.1, port 0,
// and prints `listening on http://127.0.0.1:PORT` on stderr when ready; stops on SIGTERM.
// What it sends is bounded by --bytes, so a client without limits ends the test, not the box.

import net from 'node:net'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    bytes: { type: 'string', default: String(64 * 1024 * 1024) },
    'line-bytes': { type: 'string', default: '100' },
    'accept-posts': { type: 'string', default: '0' },
  },
})
const mode = values.mode
const total = Number(values.bytes)
const lineBytes = Math.max(8, Number(values['line-bytes']))
let acceptPosts = Number(values['accept-posts'])
let offset = 0

const offsetText = (n) => `0000000000000000_${String(n).padStart(16, '0')}`

// Writes COUNT bytes made by PIECE(n) (n counts the pieces), waiting whenever the socket's
// buffer is full, until done or the client is gone.
async function pour(socket, count, piece) {
  let sent = 0
  for (let n = 0; sent < count && !socket.destroyed; ++n) {
    const chunk = piece(n)
    sent += chunk.length
    if (!socket.write(chunk)) {
      await new Promise((resolve) => {
        socket.once('drain', resolve)
        socket.once('close', resolve)
      })
    }
  }
}

function head(status, headers) {
  return `HTTP/1.1 ${status}\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n'
}

async function answer(socket, method, target, headers, rest) {
  process.stderr.write(`request: ${method} ${target}\n`)
  if (mode === 'headers') {
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n')
    const filler = 'a'.repeat(lineBytes - 'X-Filler-0000000: \r\n'.length)
    // 64 lines per write keeps the writes large.
    await pour(socket, total, (n) => {
      let text = ''
      for (let i = 0; i < 64; ++i) {
        text += `X-Filler-${String(n * 64 + i).padStart(7, '0')}: ${filler}\r\n`
      }
      return text
    })
    socket.end('\r\ndata: too late\n\n')
  } else if (mode === 'long-line') {
    socket.write('HTTP/1.1 200 OK\r\nX-Long: ')
    const piece = Buffer.alloc(64 * 1024, 'b')
    await pour(socket, total, () => piece)
    socket.end('\r\n\r\n')
  } else if (mode === 'stall') {
    socket.end(head('200 OK', { 'Content-Type': 'text/plain', 'Stream-Next-Offset': offsetText(0),
                                'Content-Length': 0, Connection: 'close' }))
  } else if (mode === '413') {
    if (method === 'HEAD') {
      socket.end(head('200 OK', { 'Content-Type': 'text/plain', 'Stream-Next-Offset': offsetText(offset),
                                  'Content-Length': 0, Connection: 'close' }))
      return
    }
    const length = Number(headers['content-length'] ?? 0)
    if (acceptPosts > 0) {
      --acceptPosts
      let have = rest.length
      while (have < length && !socket.destroyed) {
        have += (await new Promise((resolve) => socket.once('data', resolve))).length
      }
      offset += length
      socket.end(head('200 OK', { 'Stream-Next-Offset': offsetText(offset), 'Content-Length': 0,
                                  Connection: 'close' }))
      return
    }
    socket.pause() // the body is never read: the client must notice the answer while it sends
    const body = 'request body over 1024 bytes (--max-body)\n'
    socket.write(head('413 Payload Too Large', { 'Content-Type': 'text/plain', 'Content-Length': body.length,
                                                 Connection: 'close' }) + body)
    process.stderr.write(`answered 413 early after ${rest.length} body bytes\n`)
    // Closing now would reset the connection and could destroy the answer before the client
    // reads it; the client closes once it has it.
    socket.on('close', () => {})
  } else {
    socket.destroy()
  }
}

const server = net.createServer((socket) => {
  let buffer = Buffer.alloc(0)
  socket.on('error', () => {})
  const onData = (data) => {
    buffer = Buffer.concat([buffer, data])
    const end = buffer.indexOf('\r\n\r\n')
    if (end < 0) {
      if (buffer.length > 1 << 20) socket.destroy()
      return
    }
    socket.off('data', onData)
    const lines = buffer.subarray(0, end).toString('latin1').split('\r\n')
    const [method, target] = lines[0].split(' ')
    const headers = {}
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':')
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    answer(socket, method, target, headers, buffer.subarray(end + 4)).catch(() => socket.destroy())
  }
  socket.on('data', onData)
})

server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`listening on http://127.0.0.1:${server.address().port}\n`)
})
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0))
}
