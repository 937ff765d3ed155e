#pragma once
// The parameters of a request's query string (the target after '?'), read as an HTML form
// encodes them: pairs split at '&', key and value at the first '=', '+' a space, %XX escapes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net {

/// Every value of parameter NAME in QUERY, in order. A key without '=' has the empty value; a
/// value whose %-escapes are malformed is nullopt (so a caller can refuse it rather than read
/// it as absent); a pair whose key is malformed names no parameter.
std::vector<std::optional<std::string>> query_values(std::string_view query, std::string_view name);

} // namespace net
