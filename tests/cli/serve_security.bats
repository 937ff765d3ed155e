#!/usr/bin/env bats
# What the two servers (`sse serve` and `sse serve --durable`) allow: which web pages may use
# them (--cors), which Host names they answer (--allow-host, against DNS rebinding), the
# Bearer token, and the bounds on --script delays and --exec children.

load helper

setup() {
  common_setup
  SERVE_PID=
  DURABLE_PID=
  BACKGROUND=()
}

teardown() {
  stop_background
  stop_serve
  stop_durable
}

# The status of `curl -s ARG...`, its head in head.txt and body in body.txt.
http() {
  curl -s --max-time 5 -D head.txt -o body.txt -w '%{http_code}' "$@"
}

# --- CORS: the durable server -----------------------------------------------------------------

@test "durable: without --cors a page's preflight is refused and no response allows a page" {
  start_durable --memory
  run http -X OPTIONS -H 'Origin: http://evil.example' -H 'Access-Control-Request-Method: PUT' \
    "$DURABLE_URL/v1/stream/a"
  assert_output 403
  refute grep -qi '^Access-Control-' head.txt
  # A simple POST needs no preflight: a page could append with it, so it is refused too.
  run http -X PUT "$DURABLE_URL/v1/stream/a"
  assert_output 201
  run http -X POST -H 'Origin: http://evil.example' -H 'Content-Type: text/plain' -d x \
    "$DURABLE_URL/v1/stream/a"
  assert_output 403
  grep -q "origin 'http://evil.example' is not allowed" body.txt
  grep -q -- '--cors' body.txt
  run http "$DURABLE_URL/v1/stream/a?offset=-1"
  assert_output 200
  assert_equal "$(cat body.txt)" ""
  refute grep -qi '^Access-Control-' head.txt
}

@test "durable: --cors ORIGIN allows that origin only, echoed with Vary: Origin" {
  start_durable --memory --cors http://app.example,http://other.example --cors http://third.example
  run http -X OPTIONS -H 'Origin: http://other.example' -H 'Access-Control-Request-Method: PUT' \
    "$DURABLE_URL/v1/stream/a"
  assert_output 204
  grep -qi '^Access-Control-Allow-Origin: http://other.example' head.txt
  grep -qi '^Access-Control-Allow-Methods: .*DELETE' head.txt
  grep -qi '^Vary: Origin' head.txt
  run http -X PUT -H 'Origin: http://third.example' "$DURABLE_URL/v1/stream/a"
  assert_output 201
  grep -qi '^Access-Control-Allow-Origin: http://third.example' head.txt
  grep -qi '^Access-Control-Expose-Headers: .*Stream-Next-Offset' head.txt
  # A long-poll is answered later, still with its request's origin.
  run http -H 'Origin: http://app.example' "$DURABLE_URL/v1/stream/a?offset=-1&live=long-poll"
  assert_output 204
  grep -qi '^Access-Control-Allow-Origin: http://app.example' head.txt
  run http -H 'Origin: http://app.example' "$DURABLE_URL/v1/stream/a?offset=-1&live=sse" --max-time 1
  grep -qi '^Access-Control-Allow-Origin: http://app.example' head.txt
  run http -X OPTIONS -H 'Origin: http://evil.example' -H 'Access-Control-Request-Method: PUT' \
    "$DURABLE_URL/v1/stream/a"
  assert_output 403
  refute grep -qi '^Access-Control-Allow-Origin' head.txt
  # A client that is not a page (no Origin) is served, and told the answer varies by origin.
  run http "$DURABLE_URL/v1/stream/a?offset=-1"
  assert_output 200
  refute grep -qi '^Access-Control-Allow-Origin' head.txt
  grep -qi '^Vary: Origin' head.txt
}

@test "durable: --cors '*' allows every origin" {
  start_durable --memory --cors '*'
  run http -X OPTIONS -H 'Origin: https://example.com' -H 'Access-Control-Request-Method: GET' \
    -H 'Access-Control-Request-Headers: if-none-match' "$DURABLE_URL/v1/stream/a"
  assert_output 204
  grep -qi '^Access-Control-Allow-Origin: \*' head.txt
  grep -qi '^Access-Control-Allow-Headers: .*If-None-Match' head.txt
  run http -X PUT -H 'Origin: http://any.example' "$DURABLE_URL/v1/stream/a"
  assert_output 201
  grep -qi '^Access-Control-Allow-Origin: \*' head.txt
}

@test "--cors refuses what is not an origin (exit 2)" {
  run --separate-stderr timeout 5 "$SSE" serve --durable --memory --port 0 --cors 'app.example'
  assert_failure 2
  assert_output ""
  [[ $stderr == *"not an origin"*"app.example"* ]] || fail "$stderr"
  run --separate-stderr timeout 5 "$SSE" serve --demo --port 0 --cors 'http://a.example/path'
  assert_failure 2
}

# --- CORS: sse serve ----------------------------------------------------------------------------

@test "serve: --cors takes several origins; another origin's preflight and requests get 403" {
  start_serve --cors http://a.example,http://b.example
  run http -X OPTIONS -H 'Origin: http://b.example' -H 'Access-Control-Request-Method: GET' "$SSE_URL/"
  assert_output 204
  grep -qi '^Access-Control-Allow-Origin: http://b.example' head.txt
  grep -qi '^Vary: Origin' head.txt
  run http -X OPTIONS -H 'Origin: http://evil.example' -H 'Access-Control-Request-Method: GET' "$SSE_URL/"
  assert_output 403
  refute grep -qi '^Access-Control-' head.txt
  grep -q -- '--cors' body.txt
  run http -I -H 'Origin: http://evil.example' "$SSE_URL/"
  assert_output 403
}

# --- Host (DNS rebinding) -------------------------------------------------------------------

@test "both servers refuse a Host that is not theirs, and answer loopback names and --allow-host" {
  start_durable --memory --allow-host dev.example
  start_serve --demo
  local url
  for url in "$DURABLE_URL/v1/stream/a" "$SSE_URL/"; do
    run http -H 'Host: rebind.attacker.example' "$url"
    assert_output 403
    grep -q "Host 'rebind.attacker.example' is not allowed" body.txt
    grep -q -- '--allow-host' body.txt
    local port=${url#http://127.0.0.1:}
    port=${port%%/*}
    for host in localhost "localhost:$port" "127.0.0.1:$port" "[::1]:$port" app.localhost 10.1.2.3; do
      run http -I -H "Host: $host" "$url"
      [[ $output != 403 ]] || fail "Host $host was refused by $url: $(cat body.txt)"
    done
  done
  run http -I -H 'Host: dev.example:8000' "$DURABLE_URL/v1/stream/a"
  assert_output 404
  run http -I -H 'Host: dev.example' "$SSE_URL/"
  assert_output 403
}

@test "--allow-host '*' answers any Host" {
  start_serve --demo --allow-host '*'
  run http -I -H 'Host: anything.example' "$SSE_URL/"
  assert_output 200
}

# --- Token ------------------------------------------------------------------------------------

@test "durable: --token takes the Bearer scheme in any case (RFC 9110), and nothing else" {
  start_durable --memory --token s3cret
  run http -X PUT -H 'Authorization: bearer s3cret' "$DURABLE_URL/v1/stream/a"
  assert_output 201
  run http -I -H 'Authorization: BEARER s3cret' "$DURABLE_URL/v1/stream/a"
  assert_output 200
  run http -I -H 'Authorization: Bearer  s3cret' "$DURABLE_URL/v1/stream/a"
  assert_output 200
  run http -I -H 'Authorization: Bearer S3CRET' "$DURABLE_URL/v1/stream/a"
  assert_output 401
  run http -I -H 'Authorization: Basic s3cret' "$DURABLE_URL/v1/stream/a"
  assert_output 401
  run http -I -H 'Authorization: Bearers3cret' "$DURABLE_URL/v1/stream/a"
  assert_output 401
}

# --- Durations --------------------------------------------------------------------------------

@test "a --script delay or stall too long to wait is refused (exit 3), not played at once" {
  printf '{"data":"a","delay":18446744073709551615}\n' > huge.ndjson
  run --separate-stderr timeout 5 "$SSE" serve --port 0 --script huge.ndjson
  assert_failure 3
  [[ $stderr == *"huge.ndjson:1"* && $stderr == *delay* ]] || fail "$stderr"
  printf '{"data":"a"}\n{"stall":9223372036854775807}\n' > stall.ndjson
  run --separate-stderr timeout 5 "$SSE" serve --port 0 --script stall.ndjson
  assert_failure 3
  [[ $stderr == *"stall.ndjson:2"* ]] || fail "$stderr"
}

@test "a duration option with more digits than fit is a usage error, not a crash" {
  run --separate-stderr timeout 5 "$SSE" serve --demo --port 0 --heartbeat "1$(printf '0%.0s' {1..400})s"
  assert_failure 2
  [[ $stderr == *heartbeat* ]] || fail "$stderr"
}

# --- --exec children -------------------------------------------------------------------------

@test "--exec runs at most --max-clients children; one more client gets 503 naming the limit" {
  start_serve --exec --max-clients 2 -- sh -c 'echo hi; exec sleep 30'
  local i
  for i in 1 2; do
    curl -sN --max-time 20 "$SSE_URL/" > "c$i.out" 2> /dev/null 7>&- 8>&- &
    BACKGROUND+=("$!")
  done
  wait_for 10 bash -c 'grep -q "data: hi" c1.out && grep -q "data: hi" c2.out'
  run http "$SSE_URL/"
  assert_output 503
  grep -qi '^Retry-After: ' head.txt
  grep -q -- '--max-clients' body.txt
  grep -q 'at most 2 ' body.txt
}

@test "--exec has a default cap on children: 64 clients (--help says so)" {
  run --separate-stderr "$SSE" serve --help
  assert_output --regexp '--max-clients N +.*64 with --exec'
}
