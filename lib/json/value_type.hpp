#pragma once
// json::Value, the one JSON value type of sse: nlohmann::basic_json whose objects keep their
// members in the order they arrived (json::detail::ObjectMap), so that what is read and written back
// keeps its key order. Only lib/json includes nlohmann; everything else names this type.

#include "json/object_map.hpp"

#include <nlohmann/json.hpp>

namespace json {

using Value = nlohmann::basic_json<detail::ObjectMap>;

} // namespace json
