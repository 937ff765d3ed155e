# Run by peers.bats (not a suite of its own): a test that needs a program that cannot exist.
load ../helper

@test "needs a peer" {
  needs_program sse-no-such-program "it is made up"
}

@test "checks a peer when it is there" {
  if has_program sse-no-such-program; then false; fi
}
