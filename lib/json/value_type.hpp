#pragma once
// json::Value, the one JSON value type of sse. Only lib/json includes nlohmann; everything
// else names this type.

#include <nlohmann/json.hpp>

namespace json {

using Value = nlohmann::json;

} // namespace json
