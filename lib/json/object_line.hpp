#pragma once
// One line of a line-based format whose every line is a JSON object (a recording, a serve
// script), read with the words both formats give.

#include "json/value_type.hpp"

#include <string_view>

namespace json {

/// The object LINE holds. Throws util::Error(bad_input) "not a JSON object" for anything else,
/// invalid JSON included, or "not a JSON object: nested more than N levels deep".
Value parse_object_line(std::string_view line);

} // namespace json
