// Appends numbered lines to one Durable Streams stream as fast as the server acknowledges them,
// for the crash test: `node durable_writer.mjs STREAM_URL WRITER_ID`. Before each request it
// prints `try N` and after each 2xx `ack N`, so the test knows what was acknowledged and what
// was in flight when the server died. Ends (status 0) when the server stops answering.
import http from "node:http";

const [url, writer] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function post(body) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", agent, headers: { "Content-Type": "text/plain" } },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

for (let n = 0; ; n++) {
  process.stdout.write(`try ${n}\n`);
  let status;
  try {
    status = await post(`${writer}-${n}\n`);
  } catch {
    break; // the server is gone
  }
  if (status < 200 || status > 299) {
    process.stderr.write(`append ${n}: HTTP ${status}\n`);
    process.exit(1);
  }
  process.stdout.write(`ack ${n}\n`);
}
