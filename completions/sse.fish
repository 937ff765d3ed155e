# fish completion for sse(1).
# Kept in step with `sse __meta` by tests/cli/docs.bats.

# Prints the subcommand on the command line: the first word that is neither an option nor
# the value of --color. Fails when there is none yet.
function __sse_subcommand
    set -l words (commandline -opc)
    set -e words[1]
    set -l value_next 0
    for word in $words
        if test $value_next = 1
            set value_next 0
        else if test "$word" = --color
            set value_next 1
        else if not string match -q -- '-*' $word
            echo $word
            return 0
        end
    end
    return 1
end

# True when the subcommand is one of the arguments.
function __sse_using
    set -l command (__sse_subcommand); or return 1
    contains -- $command $argv
end

# True while `sse help` has not been given its SUBCOMMAND yet.
function __sse_help_wants_subcommand
    __sse_using help; or return 1
    set -l words (commandline -opc)
    set -l rest $words[(contains -i -- help $words)..-1]
    set -e rest[1]
    not string match -qv -- '-*' $rest
end

# Files only where a subcommand takes FILE arguments.
complete -c sse -f

# Subcommands.
complete -c sse -n 'not __sse_subcommand' -a tail -d 'Follow an event stream, reconnecting like a browser'
complete -c sse -n 'not __sse_subcommand' -a parse -d 'Parse event-stream bytes into events'
complete -c sse -n 'not __sse_subcommand' -a format -d 'Write NDJSON events (or lines) as event-stream text'
complete -c sse -n 'not __sse_subcommand' -a patch -d 'Fold state events into their current state'
complete -c sse -n 'not __sse_subcommand' -a replay -d 'Play recorded events back with their timing'
complete -c sse -n 'not __sse_subcommand' -a serve -d 'Serve an event stream on localhost'
complete -c sse -n 'not __sse_subcommand' -a append -d 'Append messages to a Durable Streams stream'
complete -c sse -n 'not __sse_subcommand' -a create -d 'Create a Durable Streams stream'
complete -c sse -n 'not __sse_subcommand' -a close -d 'Close a Durable Streams stream'
complete -c sse -n 'not __sse_subcommand' -a delete -d 'Delete a Durable Streams stream'
complete -c sse -n 'not __sse_subcommand' -a info -d "Print a Durable Streams stream's metadata as JSON"
complete -c sse -n 'not __sse_subcommand' -a help -d 'Print help for sse or for one subcommand'

# Global options, accepted before and after the subcommand.
complete -c sse -l color -x -a 'auto always never' -d 'Colour the output'
complete -c sse -s v -l verbose -d 'Print diagnostics on stderr (repeatable)'
complete -c sse -l version -d 'Print the version and exit'
complete -c sse -s h -l help -d 'Print help and exit'

# sse tail URL
complete -c sse -n '__sse_using tail' -s H -l header -x -d 'Add a header Name: value'
complete -c sse -n '__sse_using tail' -s X -l request -x -a 'GET POST PUT PATCH DELETE' -d 'HTTP method'
complete -c sse -n '__sse_using tail' -s d -l data -x -d 'Send DATA as the body; @FILE or @-'
complete -c sse -n '__sse_using tail' -l json -x -d 'Send a JSON body; @FILE or @-'
complete -c sse -n '__sse_using tail' -s u -l user -x -d 'Basic authentication USER:PASSWORD'
complete -c sse -n '__sse_using tail' -l bearer -x -d 'Send Authorization: Bearer TOKEN'
complete -c sse -n '__sse_using tail' -s k -l insecure -d 'Do not verify the TLS certificate'
complete -c sse -n '__sse_using tail' -l cacert -x -a '(__fish_complete_path (commandline -ct))' -d 'Verify TLS servers against the CAs in FILE'
complete -c sse -n '__sse_using tail' -l connect-timeout -x -d 'Give up a connection attempt after DUR'
complete -c sse -n '__sse_using tail' -l max-header-size -x -d 'Largest response head accepted (SIZE)'
complete -c sse -n '__sse_using tail' -l proxy -x -d 'Connect through the HTTP proxy at URL'
complete -c sse -n '__sse_using tail' -s f -l format -x -a 'json pretty data sse raw' -d 'Output format'
complete -c sse -n '__sse_using tail' -l json-data -d 'Embed data that is valid JSON as JSON'
complete -c sse -n '__sse_using tail' -l comments -d 'Include comment lines'
complete -c sse -n '__sse_using tail' -l event -x -d 'Print only events of TYPE'
complete -c sse -n '__sse_using tail' -l extract -x -d 'Print the value at this JSON pointer'
complete -c sse -n '__sse_using tail' -s n -l max-events -x -d 'Stop after printing N events'
complete -c sse -n '__sse_using tail' -l until -x -d 'Stop after an event of TYPE'
complete -c sse -n '__sse_using tail' -l until-data -x -d 'Stop at an event whose data is TEXT'
complete -c sse -n '__sse_using tail' -l timeout -x -d 'Stop with exit 124 after DUR'
complete -c sse -n '__sse_using tail' -l idle-timeout -x -d 'Reconnect after DUR without a byte'
complete -c sse -n '__sse_using tail' -l no-reconnect -d 'Exit when the stream ends or fails'
complete -c sse -n '__sse_using tail' -l retry-post -d 'Also re-send non-GET requests'
complete -c sse -n '__sse_using tail' -l max-retries -x -d 'Give up after N reconnects in a row'
complete -c sse -n '__sse_using tail' -l max-backoff -x -d 'Longest wait between reconnects'
complete -c sse -n '__sse_using tail' -l last-event-id -x -d 'Start from this event id'
complete -c sse -n '__sse_using tail' -l cursor-file -x -a '(__fish_complete_path (commandline -ct))' -d 'Resume from and save the last id in FILE'
complete -c sse -n '__sse_using tail' -l record -x -a '(__fish_complete_path (commandline -ct))' -d 'Also write every event received, with its time, to FILE'
complete -c sse -n '__sse_using tail' -l no-error-events -d 'Treat error events as ordinary events'
complete -c sse -n '__sse_using tail' -l max-event-size -x -d 'Largest event or line accepted (SIZE)'
complete -c sse -n '__sse_using tail' -l apply -d 'Detect the state mode, or force it with --apply=MODE'
complete -c sse -n '__sse_using tail' -l key -x -d 'JSON pointer of the key of keyed collection items'
complete -c sse -n '__sse_using tail' -l initial -x -a '(__fish_complete_path (commandline -ct))' -d 'Start from the JSON state in this file'
complete -c sse -n '__sse_using tail' -l pointer -x -d 'Print only the value at this JSON pointer'
complete -c sse -n '__sse_using tail' -l final -d 'Print only the state after the last event'
complete -c sse -n '__sse_using tail' -l changes -d 'Print the state only when it changed'
complete -c sse -n '__sse_using tail' -l keep-going -d 'Warn about a failed event, skip it and go on'
complete -c sse -n '__sse_using tail' -l max-state -r -d 'Refuse an event that could grow the state past SIZE'
complete -c sse -n '__sse_using tail' -l view -d 'On a terminal, redraw the state in place'
complete -c sse -n '__sse_using tail' -l durable -d 'Read a Durable Streams stream'
complete -c sse -n '__sse_using tail' -l offset -x -d 'Start at OFFSET: -1, now or an offset'
complete -c sse -n '__sse_using tail' -l live -x -a 'sse long-poll none' -d 'How to wait at the tail'
complete -c sse -n '__sse_using tail' -l auth -x -d 'Send VALUE as the Authorization header'

# sse parse [FILE...]
complete -c sse -n '__sse_using parse' -F
complete -c sse -n '__sse_using parse' -s f -l format -x -a 'json pretty data sse raw' -d 'Output format'
complete -c sse -n '__sse_using parse' -l json-data -d 'Embed data that is valid JSON as JSON'
complete -c sse -n '__sse_using parse' -l count -d 'Print only the number of events'
complete -c sse -n '__sse_using parse' -l max-event-size -x -d 'Largest event or line accepted (SIZE)'

# sse format [FILE...]
complete -c sse -n '__sse_using format' -F
complete -c sse -n '__sse_using format' -l lines -d 'Treat each input line as the data of one event'
complete -c sse -n '__sse_using format' -l max-line-size -x -d 'Longest input line accepted (SIZE)'

# sse patch [FILE...]
complete -c sse -n '__sse_using patch' -F
complete -c sse -n '__sse_using patch' -l sse -d 'Read event-stream text instead of NDJSON events'
complete -c sse -n '__sse_using patch' -l max-event-size -x -d 'Largest event or input line accepted (SIZE)'
complete -c sse -n '__sse_using patch' -l apply -d 'Detect the state mode, or force it with --apply=MODE'
complete -c sse -n '__sse_using patch' -l key -x -d 'JSON pointer of the key of keyed collection items'
complete -c sse -n '__sse_using patch' -l initial -x -a '(__fish_complete_path (commandline -ct))' -d 'Start from the JSON state in this file'
complete -c sse -n '__sse_using patch' -l pointer -x -d 'Print only the value at this JSON pointer'
complete -c sse -n '__sse_using patch' -l final -d 'Print only the state after the last event'
complete -c sse -n '__sse_using patch' -l changes -d 'Print the state only when it changed'
complete -c sse -n '__sse_using patch' -l keep-going -d 'Warn about a failed event, skip it and go on'
complete -c sse -n '__sse_using patch' -l max-state -r -d 'Refuse an event that could grow the state past SIZE'
complete -c sse -n '__sse_using patch' -l view -d 'On a terminal, redraw the state in place'

# sse help [SUBCOMMAND]
# sse replay [FILE...]
complete -c sse -n '__sse_using replay' -F
complete -c sse -n '__sse_using replay' -s f -l format -x -a 'json pretty data sse raw' -d 'Output format'
complete -c sse -n '__sse_using replay' -l json-data -d 'Embed data that is valid JSON as JSON'
complete -c sse -n '__sse_using replay' -l event -x -d 'Print only events of TYPE'
complete -c sse -n '__sse_using replay' -s n -l max-events -x -d 'Stop after printing N events'
complete -c sse -n '__sse_using replay' -l speed -x -d 'Play X times as fast'
complete -c sse -n '__sse_using replay' -l no-wait -d 'Print everything at once'
complete -c sse -n '__sse_using replay' -l interval -x -d 'Wait DUR between events of untimed input'
complete -c sse -n '__sse_using replay' -l from -x -d 'Start at the event with this id, or the Nth'
complete -c sse -n '__sse_using replay' -l to -x -d 'Stop after the event with this id, or the Nth'
complete -c sse -n '__sse_using replay' -l loop -d 'Start again at the end'
complete -c sse -n '__sse_using replay' -l apply -d 'Detect the state mode, or force it with --apply=MODE'
complete -c sse -n '__sse_using replay' -l key -x -d 'JSON pointer of the key of keyed collection items'
complete -c sse -n '__sse_using replay' -l initial -x -a '(__fish_complete_path (commandline -ct))' -d 'Start from the JSON state in this file'
complete -c sse -n '__sse_using replay' -l pointer -x -d 'Print only the value at this JSON pointer'
complete -c sse -n '__sse_using replay' -l final -d 'Print only the state after the last event'
complete -c sse -n '__sse_using replay' -l changes -d 'Print the state only when it changed'
complete -c sse -n '__sse_using replay' -l keep-going -d 'Warn about a failed event or bad line, skip it and go on'
complete -c sse -n '__sse_using replay' -l max-state -r -d 'Refuse an event that could grow the state past SIZE'
complete -c sse -n '__sse_using replay' -l view -d 'On a terminal, redraw the state in place'

# sse serve [--exec COMMAND...]
complete -c sse -n '__sse_using serve' -l ndjson -d 'Read stdin as NDJSON event objects'
complete -c sse -n '__sse_using serve' -l sse -d 'Read stdin as event-stream text'
complete -c sse -n '__sse_using serve' -l exec -d 'Run COMMAND for each client; each line it prints is an event'
complete -c sse -n '__sse_using serve; and contains -- --exec (commandline -opc)' -a '(__fish_complete_command)'
complete -c sse -n '__sse_using serve' -l script -x -a '(__fish_complete_path (commandline -ct))' -d 'Play the scripted stream in FILE to each client'
complete -c sse -n '__sse_using serve' -l replay -x -a '(__fish_complete_path (commandline -ct))' -d 'Play the recording in FILE to each client'
complete -c sse -n '__sse_using serve' -l shared -d 'With --replay: one timeline for every client'
complete -c sse -n '__sse_using serve' -l demo -d 'Serve the built-in demo stream'
complete -c sse -n '__sse_using serve' -l host -x -d 'Address to listen on (default 127.0.0.1)'
complete -c sse -n '__sse_using serve' -s p -l port -x -d 'Port to listen on; 0 picks a free one'
complete -c sse -n '__sse_using serve' -l cors -x -d 'Let pages from ORIGIN (or *) use the server'
complete -c sse -n '__sse_using serve' -l allow-host -x -d 'Also answer requests for Host NAME'
complete -c sse -n '__sse_using serve' -l max-clients -x -d 'Refuse clients beyond N with 503 (64 with --exec)'
complete -c sse -n '__sse_using serve' -l max-lifetime -x -d 'End each connection after DUR'
complete -c sse -n '__sse_using serve' -l client-buffer -x -d 'Cut a client that falls SIZE behind'
complete -c sse -n '__sse_using serve' -l history -x -d 'Events kept for clients that resume'
complete -c sse -n '__sse_using serve' -l from-start -d 'Send new clients the history first'
complete -c sse -n '__sse_using serve' -l linger -d 'Keep serving the history after the source ends'
complete -c sse -n '__sse_using serve' -l retry -x -d 'Send retry: DUR at connect'
complete -c sse -n '__sse_using serve' -l heartbeat -x -d 'Send a comment after DUR without output'
complete -c sse -n '__sse_using serve' -l hello -x -d 'Send comment TEXT at connect'
complete -c sse -n '__sse_using serve' -l goodbye -x -d 'Send comment TEXT when the server ends a stream'
complete -c sse -n '__sse_using serve' -l eol -x -a 'lf crlf cr' -d 'Line ending'
complete -c sse -n '__sse_using serve' -l bom -d 'Start every stream with a byte order mark'
complete -c sse -n '__sse_using serve' -l max-event-size -x -d 'Longest input event or line (SIZE)'
complete -c sse -n '__sse_using serve' -l durable -d 'Serve Durable Streams under /v1/stream/'
complete -c sse -n '__sse_using serve' -l data-dir -x -a '(__fish_complete_directories (commandline -ct))' -d 'Keep the streams in DIR'
complete -c sse -n '__sse_using serve' -l memory -d 'Keep the streams in memory only'
complete -c sse -n '__sse_using serve' -l repair -d 'Cut damaged streams back to their last intact commit, keeping what is cut'
complete -c sse -n '__sse_using serve' -l long-poll-timeout -x -d 'Answer a long-poll with 204 after DUR'
complete -c sse -n '__sse_using serve' -l token -x -d 'Require Authorization: Bearer TOKEN'
complete -c sse -n '__sse_using serve' -l max-body -x -d 'Refuse request bodies larger than SIZE'

# sse append|create|close|delete|info [OPTIONS] STREAM: what the Durable Streams commands share
set -l __sse_durable 'append create close delete info'
complete -c sse -n "__sse_using $__sse_durable" -l auth -x -d 'Send VALUE as the Authorization header'
complete -c sse -n "__sse_using $__sse_durable" -s H -l header -x -d 'Add a header Name: value'
complete -c sse -n "__sse_using $__sse_durable" -s u -l user -x -d 'Basic authentication USER:PASSWORD'
complete -c sse -n "__sse_using $__sse_durable" -l bearer -x -d 'Send Authorization: Bearer TOKEN'
complete -c sse -n "__sse_using $__sse_durable" -s k -l insecure -d 'Do not verify the TLS certificate'
complete -c sse -n "__sse_using $__sse_durable" -l cacert -x -a '(__fish_complete_path (commandline -ct))' -d 'Verify TLS servers against the CAs in FILE'
complete -c sse -n "__sse_using $__sse_durable" -l connect-timeout -x -d 'Give up a connection attempt after DUR'
complete -c sse -n "__sse_using $__sse_durable" -l max-header-size -x -d 'Largest response head accepted (SIZE)'
complete -c sse -n "__sse_using $__sse_durable" -l proxy -x -d 'Connect through the HTTP proxy at URL'
complete -c sse -n "__sse_using $__sse_durable" -l max-retries -x -d 'Retries after network errors, 429 and 5xx'

# sse append STREAM [DATA...]
complete -c sse -n '__sse_using append' -l whole -d 'Send all of stdin as one message'
complete -c sse -n '__sse_using append' -l batch-max -x -d 'Largest request body when batching lines (SIZE)'
complete -c sse -n '__sse_using append' -l linger -x -d 'Wait up to DUR for more lines before a batch'
complete -c sse -n '__sse_using append' -l producer -x -d 'Idempotent producer id'
complete -c sse -n '__sse_using append' -l epoch -x -d 'Producer epoch'
complete -c sse -n '__sse_using append' -l claim -d 'Take over from a producer with the same id'
complete -c sse -n '__sse_using append' -l seq -x -d 'Send Stream-Seq SEQ'
complete -c sse -n '__sse_using append' -l create -d 'Create the stream first if it does not exist'
complete -c sse -n '__sse_using append create' -l content-type -x -d 'Content type of the stream'
complete -c sse -n '__sse_using append create' -l json -d 'Same as --content-type application/json'
complete -c sse -n '__sse_using append create' -l ttl -x -d 'Expire the stream after DUR without use'
complete -c sse -n '__sse_using append create' -l expires-at -x -d 'Expire the stream at TIME (RFC 3339)'
complete -c sse -n '__sse_using append' -l close -d 'Close the stream after the last message'

# sse create STREAM
complete -c sse -n '__sse_using create' -l closed -d 'Create it closed'

complete -c sse -n __sse_help_wants_subcommand -a 'tail parse format patch replay serve append create close delete info help' -d Subcommand
