#!/usr/bin/env node
// Runs every case of the npm json-patch-test-suite package (tests.json and spec_tests.json,
// version pinned in package-lock.json) through `sse patch`, as a stream of two events: a
// snapshot of the case's "doc", then its "patch".
//   - a case with "expected" must print exactly that state (compared as JSON values);
//   - a case with neither "expected" nor "error" must succeed and leave "doc" as it was;
//   - a case with "error" must fail with exit 3 and one line "sse: error: ..." naming the
//     event, and, run again with --keep-going, must print "doc" unchanged: a failed patch is
//     atomic.
// Cases marked "disabled" are run too when they can be represented; those whose point was lost
// when the suite's JSON was parsed (a duplicate "op" member, which JSON.parse drops) are skipped
// with the reason printed.
//
// Usage: node json-patch-suite.mjs SSE_BINARY
// Prints one line per skipped or failed case and a summary "N passed, N failed, N skipped";
// exits 1 when a case failed.

import {spawnSync} from 'node:child_process'
import {createRequire} from 'node:module'
import {isDeepStrictEqual} from 'node:util'

const require = createRequire(import.meta.url)
const sse = process.argv[2]
if (!sse) {
  console.error('usage: node json-patch-suite.mjs SSE_BINARY')
  process.exit(2)
}

const suites = ['tests.json', 'spec_tests.json']
let passed = 0
let failed = 0
let skipped = 0

function run(args, input) {
  return spawnSync(sse, ['patch', ...args], {input, encoding: 'utf8', timeout: 10000})
}

// sse prints integers like 1.0 as 1.0; JSON.parse reads both as the same number, which is what
// the suite means by equal.
function sameState(stdout, expected) {
  const lines = stdout.trim().split('\n')
  if (lines.length !== 1) return false
  try {
    return isDeepStrictEqual(JSON.parse(lines[0]), expected)
  } catch {
    return false
  }
}

for (const suite of suites) {
  const cases = require(`json-patch-test-suite/${suite}`)
  cases.forEach((testCase, index) => {
    const name = `${suite}#${index} ${testCase.comment ?? JSON.stringify(testCase.patch).slice(0, 60)}`
    const input =
      JSON.stringify({event: 'snapshot', data: JSON.stringify(testCase.doc)}) + '\n' +
      JSON.stringify({event: 'patch', data: JSON.stringify(testCase.patch)}) + '\n'
    if (testCase.disabled && /two 'op' members/.test(testCase.error ?? '')) {
      skipped++
      console.log(`skip ${name}: the duplicate "op" member was lost when the suite's JSON was parsed, so the case cannot be represented`)
      return
    }
    const problems = []
    if ('error' in testCase) {
      const strict = run(['--final'], input)
      if (strict.status !== 3) problems.push(`exit ${strict.status} instead of 3 (stdout ${JSON.stringify(strict.stdout)})`)
      if (strict.stdout !== '') problems.push(`stdout not empty: ${JSON.stringify(strict.stdout)}`)
      if (!/^sse: error: .*event 2\)\n$/.test(strict.stderr)) problems.push(`stderr: ${JSON.stringify(strict.stderr)}`)
      const lenient = run(['--final', '--keep-going'], input)
      if (lenient.status !== 0) problems.push(`--keep-going: exit ${lenient.status}`)
      if (!sameState(lenient.stdout, testCase.doc)) problems.push(`--keep-going: the state changed: ${lenient.stdout.trim()}`)
      if (!/^sse: warning: .*event 2\); event skipped\n$/.test(lenient.stderr)) problems.push(`--keep-going stderr: ${JSON.stringify(lenient.stderr)}`)
    } else {
      const expected = 'expected' in testCase ? testCase.expected : testCase.doc
      const result = run(['--final'], input)
      if (result.status !== 0) problems.push(`exit ${result.status}: ${result.stderr.trim()}`)
      else if (!sameState(result.stdout, expected)) problems.push(`got ${result.stdout.trim()}, expected ${JSON.stringify(expected)}`)
    }
    if (problems.length === 0) {
      passed++
    } else {
      failed++
      console.log(`FAIL ${name}${testCase.disabled ? ' (disabled in the suite)' : ''}: ${problems.join('; ')}`)
    }
  })
}
console.log(`json-patch-test-suite: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed === 0 ? 0 : 1)
