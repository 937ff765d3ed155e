// A scripted HTTP server for the CLI tests of `sse tail`: each connection follows the next
// entry of a scenario (status, headers, then steps: send, wait, drip, drop, stall, end), so a
// test can stage drops, stalls, error statuses, odd framing and compression exactly.
// Usage: node scripted.mjs SCENARIO.json REQUEST-LOG.ndjson
// Binds 127.0.0.1 on a free port and prints "listening on http://127.0.0.1:PORT" on stderr.
// Every request is appended to the log as {"n","t","method","url","headers","body"} (t in ms) before the
// response starts, so tests can check what the client sent (Last-Event-ID, bodies, ...).

import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

const [scenarioPath, logPath] = process.argv.slice(2);
const scenario = JSON.parse(fs.readFileSync(scenarioPath, 'utf8'));
const connections = scenario.connections;
let count = 0;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function play(entry, req, res) {
  const headers = { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', ...(entry.headers || {}) };
  // "encoding": "gzip" or "br" compresses the body, flushing after every step, when the
  // client accepts it.
  let out = res;
  const encoding = entry.encoding ?? (entry.gzip ? 'gzip' : null);
  const compress = encoding && (req.headers['accept-encoding'] || '').includes(encoding);
  if (compress) {
    headers['Content-Encoding'] = encoding;
  }
  res.writeHead(entry.status ?? 200, headers);
  if (compress) {
    out = encoding === 'br' ? zlib.createBrotliCompress() : zlib.createGzip();
    out.pipe(res);
  }
  // Resolves once the chunk has left for the socket, so that a following drop cannot lose it.
  const write = async (chunk) => {
    await new Promise((resolve) => out.write(chunk, resolve));
    if (compress) {
      await new Promise((resolve) => out.flush(encoding === 'br' ? zlib.constants.BROTLI_OPERATION_FLUSH : zlib.constants.Z_SYNC_FLUSH, resolve));
    }
  };
  for (const step of entry.steps || []) {
    if (res.destroyed) {
      return;
    }
    if ('send' in step) {
      await write(Buffer.from(step.send, 'utf8'));
    } else if ('send_base64' in step) {
      await write(Buffer.from(step.send_base64, 'base64'));
    } else if ('send_repeat' in step) {
      // A large payload: TEXT repeated COUNT times, written in 64 KiB pieces.
      const piece = Buffer.from(step.send_repeat.repeat(Math.max(1, Math.floor(65536 / step.send_repeat.length))));
      let left = step.count * step.send_repeat.length;
      while (left > 0 && !res.destroyed) {
        const size = Math.min(left, piece.length);
        await write(piece.subarray(0, size));
        left -= size;
      }
    } else if ('drip' in step) {
      for (const byte of Buffer.from(step.drip, 'utf8')) {
        await write(Buffer.from([byte]));
        await sleep(step.pause ?? 1);
      }
    } else if ('wait' in step) {
      await sleep(step.wait);
    } else if ('drop' in step) {
      res.socket.destroy();
      return;
    } else if ('stall' in step) {
      await new Promise((resolve) => res.on('close', resolve));
      return;
    }
  }
  out.end();
}

// With TLS_CERT and TLS_KEY set (PEM files), the server speaks https.
const tls = process.env.TLS_CERT && process.env.TLS_KEY
  ? { cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) }
  : null;
const handle = (req, res) => {
  const n = ++count;
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const entry = connections[Math.min(n, connections.length) - 1];
    const record = { n, t: Date.now(), method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    fs.appendFileSync(logPath, JSON.stringify(record) + '\n');
    play(entry, req, res).catch(() => res.destroy());
  });
};
const server = tls ? https.createServer(tls, handle) : http.createServer(handle);
server.keepAliveTimeout = 0;
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`listening on ${tls ? 'https' : 'http'}://127.0.0.1:${server.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
