#pragma once
// Untrusted text on a terminal: every character shown, none obeyed. A stream's data, a key in
// a state, an event type can hold an escape sequence that recolours the screen, moves the
// cursor or retitles the window, or a bidirectional control that shows the line in another
// order than it is. The pretty output and the state view both write through here.

#include <string>
#include <string_view>

namespace view {

/// Appends TEXT to OUT as the pretty output shows it: C0 controls (but tab) and DEL as \xNN,
/// C1 controls (U+0080 to U+009F) and bidirectional controls as \uNNNN, each byte of invalid
/// UTF-8 as \xNN; everything else as it is.
void append_terminal_text(std::string& out, std::string_view text);

/// Appends TEXT to OUT as a JSON string literal, quotes included: JSON's escapes, C0 controls,
/// DEL, C1 and bidirectional controls as \uNNNN, and (not JSON, but never in a JSON value
/// that was parsed) each byte of invalid UTF-8 as \xNN.
void append_terminal_json_string(std::string& out, std::string_view text);

} // namespace view
