#include "net/query_string.hpp"

#include "net/http_request.hpp"

namespace net {

std::vector<std::optional<std::string>> query_values(std::string_view query, std::string_view name)
{
  std::vector<std::optional<std::string>> values;
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    const auto key = percent_decode(pair.substr(0, eq), true);
    if (key && *key == name) {
      values.push_back(percent_decode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(amp + 1);
  }
  return values;
}

} // namespace net
