// Reads a JSON stream of bench/append back with plain HTTP (no client library): catch-up GETs
// from offset -1, following Stream-Next-Offset until a response says Stream-Up-To-Date, and
// checks that the messages are {"n":1}, {"n":2}, ... {"n":N} (their other fields ignored), each
// once and in order.
//
//   node verify.mjs STREAM_URL N
//
// Prints one line `messages=M ordered=1|0 tail=OFFSET requests=R` (ordered=1: exactly 1..N in
// order; when not, `first_bad=INDEX` says where it went wrong). Exit 0 when it could read the
// stream, whatever it found; 1 when it could not.

const [url, expectText] = process.argv.slice(2)
const expected = Number(expectText)
if (!url || !Number.isInteger(expected)) {
  console.error('usage: node verify.mjs STREAM_URL N')
  process.exit(2)
}

let offset = '-1'
let messages = 0
let firstBad = -1
let requests = 0
try {
  for (;;) {
    const response = await fetch(`${url}?offset=${encodeURIComponent(offset)}`)
    requests++
    if (response.status !== 200) throw new Error(`GET offset ${offset}: HTTP ${response.status}`)
    const items = JSON.parse(await response.text())
    if (!Array.isArray(items)) throw new Error(`GET offset ${offset}: the body is no JSON array`)
    for (const item of items) {
      messages++
      if (firstBad < 0 && item?.n !== messages) firstBad = messages
    }
    const next = response.headers.get('stream-next-offset')
    if (!next) throw new Error(`GET offset ${offset}: no Stream-Next-Offset`)
    if (response.headers.has('stream-up-to-date')) {
      offset = next
      break
    }
    if (next === offset) throw new Error(`GET offset ${offset}: no progress and not up to date`)
    offset = next
  }
} catch (error) {
  console.error(`verify: ${error.message}`)
  process.exit(1)
}
const ordered = firstBad < 0 && messages === expected
console.log(
  `messages=${messages} ordered=${ordered ? 1 : 0} tail=${offset} requests=${requests}` +
    (firstBad >= 0 ? ` first_bad=${firstBad}` : ''),
)
