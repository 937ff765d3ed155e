// A page in Debian's headless Chromium (driven by the npm playwright-core, pinned in
// tests/interop; it uses /usr/bin/chromium and downloads no browser) that opens a real
// EventSource on an event stream of another origin.
//
//   node browser.mjs [--messages N] [--credentials] [--until-closed] [--timeout MS]
//
// It serves the page from its own HTTP server on a free port of 127.0.0.1, starts Chromium and
// loads a blank page of that origin, and only then prints {"page": ORIGIN}: a browser's first
// start on a fresh machine (profile, fonts, renderer) can take many seconds, and is bounded on
// its own (--launch-timeout MS, default 30000) rather than eating into the waits that follow.
// Then it reads the stream's URL as one line on stdin and loads the page, which runs
// `new EventSource(URL, {withCredentials})`. Then it prints {"open": true} once the
// stream is open, {"messages": [{id, data, origin}...]} once N messages have arrived, and with
// --until-closed {"closed": true, "errors": N, "messages": [...], "console": [...]} once the
// EventSource has given up (readyState CLOSED: after a 204, or after a failed CORS check).
// Exit 0 when all that happened, 1 on a timeout (what the page has is printed as
// {"failed": ...}; each wait is bounded by --timeout, default 5000, and the whole run by the
// launch timeout plus 30 s), 2 without Chromium or when it does not start.

import fs from 'node:fs'
import http from 'node:http'
import readline from 'node:readline'
import { deadline, emit, interop } from './interop.mjs'

const chromiumPath = '/usr/bin/chromium'
const args = process.argv.slice(2)
const option = (name) => args.includes(name)
const value = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback)
const wanted = value('--messages', 0)
const timeout = value('--timeout', 5000)
const launchTimeout = value('--launch-timeout', 30000)

try {
  fs.accessSync(chromiumPath, fs.constants.X_OK)
} catch {
  console.error(`Chromium is not installed (${chromiumPath}): install Debian's chromium package, as scripts/setup --tests does`)
  process.exit(2)
}
const { chromium } = interop('playwright-core')
deadline(launchTimeout + 30000, () => ({}))

const pageHtml = `<!doctype html>
<meta charset="utf-8">
<title>sse serve in a browser</title>
<script>
  const params = new URLSearchParams(location.search)
  window.opens = 0
  window.errors = 0
  window.got = []
  window.source = new EventSource(params.get('sse'), { withCredentials: params.has('credentials') })
  source.onopen = () => { opens++ }
  source.onerror = () => { errors++ }
  source.onmessage = (event) => { got.push({ id: event.lastEventId, data: event.data, origin: event.origin }) }
</script>
`

const pages = http.createServer((request, response) => {
  const path = new URL(request.url, 'http://x').pathname
  if (path === '/blank') {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html>')
    return
  }
  if (path !== '/') {
    response.writeHead(204).end() // no favicon, and no error for it in the console
    return
  }
  response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
  response.end(pageHtml)
})
await new Promise((resolve) => pages.listen(0, '127.0.0.1', resolve))
const origin = `http://127.0.0.1:${pages.address().port}`

const started = Date.now()
let browser
let page
try {
  browser = await chromium.launch({
    executablePath: chromiumPath,
    timeout: launchTimeout,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  })
  page = await browser.newPage()
  await page.goto(`${origin}/blank`, { timeout: Math.max(launchTimeout - (Date.now() - started), 1) })
} catch (error) {
  emit({ failed: `could not start ${chromiumPath} and load a page: ${error.message.split('\n')[0]}` })
  await browser?.close().catch(() => {})
  process.exit(2)
}
emit({ page: origin, started_ms: Date.now() - started })

const lines = readline.createInterface({ input: process.stdin })
const streamUrl = await new Promise((resolve) => lines.once('line', resolve))
lines.close()

const consoleLines = []
let status = 0
try {
  page.on('console', (message) => consoleLines.push(message.text()))
  page.on('pageerror', (error) => consoleLines.push(`page error: ${error.message}`))
  const query = new URLSearchParams({ sse: streamUrl })
  if (option('--credentials')) query.set('credentials', '1')
  await page.goto(`${origin}/?${query}`, { timeout })
  if (wanted > 0) {
    await page.waitForFunction(() => window.opens > 0, null, { timeout })
    emit({ open: true })
    await page.waitForFunction((n) => window.got.length >= n, wanted, { timeout })
    emit({ messages: await page.evaluate(() => window.got) })
  }
  if (option('--until-closed')) {
    await page.waitForFunction(() => window.source.readyState === EventSource.CLOSED, null, { timeout })
    const state = await page.evaluate(() => ({ errors: window.errors, messages: window.got }))
    emit({ closed: true, ...state, console: consoleLines })
  }
} catch (error) {
  const state = page ? await page.evaluate(() => ({
    readyState: window.source?.readyState, opens: window.opens, errors: window.errors, messages: window.got,
  })).catch(() => ({})) : {}
  emit({ failed: error.message.split('\n')[0], ...state, console: consoleLines })
  status = 1
} finally {
  await browser.close()
  pages.close()
}
process.exit(status)
