#pragma once
// Scanning JSON text for its structure without reading it: whether a byte is inside a string,
// where '[', '{', ',' and the rest are text rather than structure. Header-inline: the scans
// (minifying each event's data, measuring depth, splitting a response) are hot loops.

namespace json {

/// Where a byte-by-byte scan of JSON text stands with respect to strings; carried across
/// calls when the text arrives in pieces.
struct StringScan {
  bool in_string = false;
  bool escaped = false; ///< the byte before was a backslash inside a string

  /// Takes in the next byte C; true when C belongs to a string (its quotes included), which
  /// the scan then skips, false when C is structure or a space between values.
  bool consumes(char c)
  {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      return true;
    }
    if (c == '"') {
      in_string = true;
      return true;
    }
    return false;
  }
};

} // namespace json
