#pragma once
// The state view's picture (DESIGN.md §6): a JSON state and a screen size turned into the
// lines and frames that cmd/terminal_view writes to the terminal. Pure: no I/O, no clock.

#include "json/patch.hpp"

#include "json/value_type.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace view {

/// One line of a rendered state.
struct Line {
  std::string text;      ///< with ANSI styles when colour is on
  std::size_t columns;   ///< display width of the text without styles
};

/// Renders STATE pretty-printed (two-space indent, keys in order), at most MAX_LINES lines of
/// at most WIDTH columns; lines showing a location in CHANGES are highlighted (colour: a
/// yellow background; without colour: reverse video). Strings are shown through
/// view::append_terminal_json_string, so data cannot drive the terminal. Returns the lines
/// and, in TOTAL, how many lines the whole state has.
std::vector<Line> render_state(const ::json::Value& state, const ::json::Changes& changes,
                               bool color, std::size_t width, std::size_t max_lines,
                               std::size_t& total);

/// What a frame says in its header line, above the state.
struct FrameHeader {
  std::string title;          ///< the command, as "sse patch"
  std::string pointer;        ///< the value shown is at this pointer; empty: the whole state
  std::uint64_t event = 0;    ///< the number of the last event applied
  std::uint64_t skipped = 0;  ///< events skipped (--keep-going)
};

/// The size of the terminal in character cells.
struct ScreenSize {
  std::size_t rows = 24;
  std::size_t columns = 80;
};

/// One frame: the header in reverse video, then the value at the header's pointer in STATE
/// (null when STATE is null or the pointer finds nothing), cut to fit SIZE, with CHANGES
/// highlighted. A frame for the alternate screen ends each line with erase-to-end-of-line and
/// fills every row; a FINAL frame, left on the normal screen, has plain newlines, no
/// highlights, and one row fewer for the shell's prompt.
std::string render_frame(const ::json::Value* state, const ::json::Changes& changes,
                         const FrameHeader& header, ScreenSize size, bool color,
                         bool final_frame);

} // namespace view
