// The official Durable Streams server conformance suite against the server at DS_BASE_URL
// (./run sets it). The optional subscription group runs only with DS_SUBSCRIPTIONS=1;
// otherwise its tests are reported as skipped.
import { runConformanceTests } from "@durable-streams/server-conformance-tests"

const baseUrl = process.env.DS_BASE_URL
if (!baseUrl) throw new Error("DS_BASE_URL is not set: run this through tests/interop/durable/run")

runConformanceTests({
  baseUrl: baseUrl.replace(/\/+$/, ""),
  subscriptions: process.env.DS_SUBSCRIPTIONS === "1",
})
