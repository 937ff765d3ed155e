// Reads vitest's JSON report (the file named by the first argument) and prints
//   conformance: P passed, F failed, S skipped (of T)
// then each failing test as `group > test`, with the first line of its error indented.
// Exits 0 when nothing failed, 1 when some test failed, 2 when the report shows that the
// suite did not run (the test file failed to load, or no test was collected).
import { readFileSync } from "node:fs"

const report = JSON.parse(readFileSync(process.argv[2], "utf8"))
let passed = 0
let failed = 0
let skipped = 0
const failures = []
const broken = []
for (const file of report.testResults ?? []) {
  const tests = file.assertionResults ?? []
  if (file.status === "failed" && tests.length === 0) broken.push(file.message || "the test file failed")
  for (const test of tests) {
    if (test.status === "passed") passed++
    else if (test.status === "failed") {
      failed++
      const reason = String(test.failureMessages?.[0] ?? "").split("\n")[0].slice(0, 240)
      failures.push({ name: [...(test.ancestorTitles ?? []), test.title].join(" > "), reason })
    } else skipped++ // skipped, pending, todo
  }
}
const total = passed + failed + skipped
console.log(`conformance: ${passed} passed, ${failed} failed, ${skipped} skipped (of ${total})`)
for (const { name, reason } of failures) {
  console.log(`FAIL ${name}`)
  if (reason) console.log(`     ${reason}`)
}
for (const message of broken) console.error(`conformance: ${message.split("\n").slice(0, 5).join("\n")}`)
if (broken.length || total === 0) {
  if (total === 0) console.error("conformance: no test ran")
  process.exit(2)
}
process.exit(failed === 0 ? 0 : 1)
