#pragma once
// A fast, strict JSON reader (RFC 8259) producing Value values, for the hot paths of
// the state reducers: an event's data is parsed once per event, millions of times a run.
// nlohmann's own parser is about three times slower, has no depth limit (deeply nested input
// would exhaust the stack in the recursive code that later dumps or compares it) and reports
// errors in its own words.

#include "util/error.hpp"

#include "json/value_type.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace json {

/// How deeply arrays and objects may nest, everywhere: every reader refuses deeper input, and
/// whatever builds values from others (patches, keyed and Durable State changes) refuses to
/// build a deeper one, so the recursive code of nlohmann (dump, compare, copy) never meets one
/// that could exhaust the stack.
inline constexpr std::size_t k_max_depth = 1000;

/// The nesting depth of VALUE: 0 for a scalar, 1 for [] or {}, one more for each level inside;
/// measured without recursion, and only until it passes STOP (then STOP + 1).
std::size_t depth_of(const Value& value,
                     std::size_t stop = std::numeric_limits<std::size_t>::max());

/// About the length of VALUE as compact JSON (exact but for escapes and fractional numbers,
/// counted as written without them and as 8 bytes); counting stops once it passes LIMIT (the
/// result is then some number above LIMIT), so a check against a limit walks at most about
/// LIMIT values. Without recursion.
std::uint64_t size_of(const Value& value,
                      std::uint64_t limit = std::numeric_limits<std::uint64_t>::max());

/// The nesting depth of TEXT, which must be valid JSON (it is not checked): depth_of of its
/// value, measured on the text without reading it.
std::size_t text_depth(std::string_view text);

/// The message for a value nested deeper than k_max_depth ("nested more than 1000 levels
/// deep"), the same words for every reader and writer.
std::string too_deep();

/// What the readers throw for a value nested deeper than their limit: bad input whose type
/// says so, so that callers that treat other malformed JSON as "not JSON" can still refuse it.
class TooDeep : public util::Error {
public:
  using util::Error::Error;
};

/// Parses TEXT, one JSON value with optional white space around it, into a value: non-negative
/// integers become number_unsigned, negative ones number_integer, integers outside 64 bits and
/// numbers with a fraction or exponent number_float (nlohmann's own choices); a repeated object
/// member keeps its last value (as JavaScript's JSON.parse does). Strings must be valid UTF-8
/// and escapes valid (a lone surrogate escape is an error). Throws util::Error(bad_input)
/// "invalid JSON: WHAT at byte N" (N from 0).
Value parse_value(std::string_view text, std::size_t max_depth = k_max_depth);

/// Checks that TEXT is one JSON value within MAX_DEPTH, as parse_value reads it (the same
/// rules and the same errors), for code that passes the text on as it is.
void check_text(std::string_view text, std::size_t max_depth = k_max_depth);

/// parse_value(TEXT), or a discarded value (is_discarded()) when TEXT is not JSON within the
/// depth limit: for readers that skip what is not JSON.
Value parse_or_discarded(std::string_view text);

/// The members of one NDJSON event line that the state commands read, filled by
/// read_event_line without building the line's object. Reused from line to line, so its
/// buffers are allocated once.
struct EventLine {
  enum class Kind { missing, null, string, other };
  Kind event = Kind::missing;
  std::string event_text;        ///< when event is a string
  Kind data = Kind::missing;
  std::string data_text;         ///< when data is a string
  Value data_value;     ///< when data is another value
  bool comment = false;          ///< a "comment" member is present
  const char* other_type = "";   ///< the JSON type of event when it is another value
};

/// Reads LINE, which must be one JSON object, into OUT: "event", "data" and whether there is a
/// "comment"; other members are read (so the line must be valid JSON) and dropped. Throws
/// util::Error(bad_input) as parse_value does, or "not a JSON object but TYPE".
void read_event_line(std::string_view line, EventLine& out, std::size_t max_depth = k_max_depth);

/// How messages name the type of VALUE: "an object", "an array", "a string", "a number",
/// "a boolean" or "null".
const char* kind_of(const Value& value);

/// Appends VALUE compactly, as nlohmann's dump() does (strings are valid UTF-8 by construction).
void append_compact(std::string& out, const Value& value);

} // namespace json
