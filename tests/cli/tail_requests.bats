#!/usr/bin/env bats
# sse tail's requests against a scripted local server (tests/cli/servers/scripted.mjs): the
# options that shape them (headers, credentials, POST and --retry-post, TLS, proxies), the
# values refused before anything is sent, and what -v shows.

load helper
load tail_helper

@test "repeatable options take one value each, so the URL may follow them" {
  scenario '{"steps": [{"send": "event: a\ndata: 1\n\nevent: b\ndata: 2\n\n"}]}' '{"status": 204}'
  run --separate-stderr "$SSE" tail -H 'X-One: 1' --header 'X-Two: 2' --event b "$SERVER_URL/"
  assert_success
  assert_output '{"event":"b","data":"2"}'
  assert_equal "$(request_header 1 x-one)" "1"
  assert_equal "$(request_header 1 x-two)" "2"
}

@test "a POST is never sent twice unless --retry-post" {
  scenario '{"steps": [{"send": "data: partial\n\n"}, {"drop": true}]}' '{"status": 204}'
  run --separate-stderr "$SSE" tail --json '{"prompt": "hi"}' "$SERVER_URL/v1/chat"
  assert_failure 1
  assert_output '{"event":"message","data":"partial"}'
  assert_regex "$stderr" "^sse: error: connection lost while reading; not re-sent without --retry-post \($SERVER_URL/v1/chat\)$"
  assert_equal "$(requests)" 1
  assert_equal "$(jq -r .method requests.ndjson)" POST
  assert_equal "$(jq -r .body requests.ndjson)" '{"prompt": "hi"}'
  assert_equal "$(request_header 1 content-type)" application/json
  stop_server
  scenario '{"steps": [{"send": "retry: 10\ndata: partial\n\n"}, {"drop": true}]}' '{"status": 204}'
  run "$SSE" tail --retry-post -X POST -d @<(printf 'a=1') "$SERVER_URL"
  assert_success
  assert_equal "$(requests)" 2
  assert_equal "$(jq -r .body requests.ndjson | head -1)" 'a=1'
}

@test "a POST stream that ends cleanly is exit 0" {
  scenario '{"steps": [{"send": "data: done\n\n"}]}'
  run "$SSE" tail -X POST "$SERVER_URL"
  assert_success
  assert_output '{"event":"message","data":"done"}'
  assert_equal "$(requests)" 1
}

@test "values with a line break are refused before a request is sent: exit 2 naming the option" {
  scenario '{"steps": [{"send": "data: x\n\n"}]}'
  local option
  for option in --last-event-id --bearer -u -H; do
    local value=$'1\r\nX-Injected: yes'
    [[ $option == -H ]] && value=$'X-A: 1\r\nX-Injected: yes'
    run --separate-stderr "$SSE" tail --no-reconnect "$option" "$value" "$SERVER_URL"
    assert_failure 2
    assert_output ""
    assert_regex "$stderr" "^sse: error: --[a-z-]+: .*contains a line break \(CR or LF\)"
    [[ $stderr != *X-Injected* ]] || fail "the error echoes the injected line: $stderr"
  done
  # A method that would split the request line.
  run --separate-stderr "$SSE" tail --no-reconnect -X $'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET' "$SERVER_URL"
  assert_failure 2
  assert_regex "$stderr" "^sse: error: --request: the method contains"
  run --separate-stderr "$SSE" tail --no-reconnect -H 'X A: b' "$SERVER_URL"
  assert_failure 2
  assert_regex "$stderr" "the header name contains ' '"
  [[ ! -s requests.ndjson ]] || fail "a request reached the server: $(cat requests.ndjson)"
}

@test "-H, -u and --bearer reach the server" {
  scenario '{"status": 204}'
  run "$SSE" tail -H 'X-Trace: abc' -H 'Accept: text/event-stream; q=1' -u alice:s3cret "$SERVER_URL"
  assert_success
  assert_equal "$(request_header 1 x-trace)" abc
  assert_equal "$(request_header 1 accept)" "text/event-stream; q=1"
  assert_equal "$(request_header 1 authorization)" "Basic $(printf alice:s3cret | base64)"
  stop_server
  scenario '{"status": 204}'
  run "$SSE" tail --bearer T0KEN "$SERVER_URL"
  assert_equal "$(request_header 1 authorization)" "Bearer T0KEN"
}

@test "bad URLs and options are usage errors" {
  run --separate-stderr "$SSE" tail ftp://example.org/
  assert_failure 2
  assert_equal "$stderr" "sse: error: invalid URL: unsupported scheme 'ftp' (ftp://example.org/) (run 'sse tail --help')"
  run --separate-stderr "$SSE" tail -H 'no colon' http://127.0.0.1:9/
  assert_failure 2
  run --separate-stderr "$SSE" tail --extract 'no-slash' http://127.0.0.1:9/
  assert_failure 2
  run --separate-stderr "$SSE" tail --timeout soon http://127.0.0.1:9/
  assert_failure 2
}

@test "https: verified with --cacert, refused without it, accepted with -k" {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem 2> /dev/null
  TLS_CERT=cert.pem TLS_KEY=key.pem scenario '{"steps": [{"send": "data: secure\n\n"}]}'
  assert_regex "$SERVER_URL" '^https://'
  run --separate-stderr "$SSE" tail --no-reconnect --cacert cert.pem "$SERVER_URL"
  assert_success
  assert_output '{"event":"message","data":"secure"}'
  run --separate-stderr "$SSE" tail --no-reconnect "$SERVER_URL"
  assert_failure 1
  assert_regex "$stderr" "certificate verification failed|TLS"
  run --separate-stderr "$SSE" tail --no-reconnect -k "$SERVER_URL"
  assert_success
  assert_output '{"event":"message","data":"secure"}'
}

@test "--proxy sends the request to the proxy with the absolute URL" {
  scenario '{"steps": [{"send": "data: via proxy\n\n"}]}'
  run "$SSE" tail --no-reconnect --proxy "$SERVER_URL" http://stream.example:8080/feed
  assert_success
  assert_output '{"event":"message","data":"via proxy"}'
  assert_equal "$(jq -r .url requests.ndjson)" "http://stream.example:8080/feed"
}

@test "a POST that goes idle is exit 124, not re-sent" {
  scenario '{"steps": [{"send": "data: a\n\n"}, {"stall": true}]}'
  run --separate-stderr "$SSE" tail --json '{}' --idle-timeout 300ms "$SERVER_URL"
  assert_failure 124
  assert_equal "$stderr" "sse: error: no data for 300ms (--idle-timeout); not re-sent without --retry-post ($SERVER_URL/)"
  assert_equal "$(requests)" 1
}

@test "durations beyond 31 years and https proxies are usage errors" {
  run --separate-stderr "$SSE" tail --timeout 100000000h http://127.0.0.1:9/
  assert_failure 2
  run --separate-stderr "$SSE" tail --proxy https://127.0.0.1:9/ http://127.0.0.1:9/
  assert_failure 2
  assert_equal "$stderr" "sse: error: --proxy: only http:// proxies are supported (run 'sse tail --help')"
}

@test "-v shows the request and the response headers on stderr, data stays on stdout" {
  scenario '{"headers": {"X-Server": "scripted"}, "steps": [{"send": "data: x\n\n"}]}'
  run --separate-stderr "$SSE" -v tail --no-reconnect -H 'X-Trace: 7' "$SERVER_URL/s"
  assert_success
  assert_output '{"event":"message","data":"x"}'
  assert_regex "$stderr" "sse: > GET $SERVER_URL/s"
  assert_regex "$stderr" "sse: > X-Trace: 7"
  assert_regex "$stderr" "sse: < HTTP 200 OK"
  assert_regex "$stderr" "sse: < (X-Server|x-server): scripted"
}
