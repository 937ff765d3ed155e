# fish completion for sse(1): a thin wrapper around `sse __complete WORD...`, which works out
# the candidates from the options sse really parses (its output is described in
# cmd/complete.cpp and ARCHITECTURE.md).

function __sse_complete
    set -l words (commandline -opc)
    set -l token (commandline -ct)
    set -l lines (command $words[1] __complete $words[2..-1] "$token" 2>/dev/null)
    # A file after "--opt=" is completed without the "--opt=", then given it back.
    set -l prefix ''
    if string match -qr -- '^--[^=]*=' "$token"
        set prefix (string replace -r -- '=.*' '=' "$token")
        set token (string replace -r -- '^[^=]*=' '' "$token")
    end
    switch "$lines[1]"
        case :file
            __fish_complete_path "$token" | string replace -r -- '^' "$prefix"
        case :directory
            __fish_complete_directories "$token" | string replace -r -- '^' "$prefix"
        case :command
            complete -C "$token"
        case '*'
            printf '%s\n' $lines
    end
end

complete -c sse -f -a '(__sse_complete)'
