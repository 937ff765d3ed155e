// A client that stops reading: it sends a GET over a raw TCP socket, waits for the response
// head, then pauses the socket and prints {"stalled": LOCALPORT} (the server logs it as
// 127.0.0.1:LOCALPORT). On SIGUSR2 it reads again until the server closes the connection,
// then prints {"closed": true, "bytes", "error"} and exits 0; after --timeout MS it prints
// what it has and exits 1.
//
//   node stalled.mjs URL [--timeout MS]

import net from 'node:net'
import { emit, deadline } from './interop.mjs'

const [url, ...rest] = process.argv.slice(2)
if (!url) {
  console.error('usage: node stalled.mjs URL [--timeout MS]')
  process.exit(2)
}
const timeout = rest[0] === '--timeout' ? Number(rest[1]) : 8000
const { hostname, port, pathname } = new URL(url)

let bytes = 0
let head = ''
let resumed = false
let error = null
deadline(timeout, () => ({ bytes, resumed, closed: false }))

const socket = net.connect({ host: hostname, port: Number(port) }, () => {
  socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`)
})
socket.on('data', (chunk) => {
  bytes += chunk.length
  if (head !== null) {
    head += chunk.toString('latin1')
    if (head.includes('\r\n\r\n')) {
      if (!head.startsWith('HTTP/1.1 200')) {
        emit({ unexpected: head.split('\r\n')[0] })
        process.exit(1)
      }
      head = null
      socket.pause()
      emit({ stalled: socket.localPort })
    }
  }
})
socket.on('error', (e) => {
  error = e.code ?? e.message
})
socket.on('close', () => {
  emit({ closed: true, resumed, bytes, error })
  process.exit(resumed ? 0 : 1)
})
process.on('SIGUSR2', () => {
  resumed = true
  socket.resume()
})
