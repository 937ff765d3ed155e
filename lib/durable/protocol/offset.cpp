#include "durable/protocol/offset.hpp"

#include "durable/protocol/headers.hpp"

#include <charconv>
#include <cstdio>

namespace durable {

std::string format_offset(std::uint64_t position)
{
  char text[40];
  std::snprintf(text, sizeof text, "%016llu_%016llu", 0ULL,
                static_cast<unsigned long long>(position));
  return text;
}

std::optional<OffsetRequest> parse_offset(std::string_view text)
{
  if (text == query::k_offset_start) {
    return OffsetRequest{OffsetRequest::Kind::start, 0};
  }
  if (text == query::k_offset_now) {
    return OffsetRequest{OffsetRequest::Kind::now, 0};
  }
  const auto underscore = text.find('_');
  if (underscore == std::string_view::npos || underscore == 0 ||
      underscore + 1 == text.size()) {
    return std::nullopt;
  }
  auto digits = [](std::string_view part, std::uint64_t& value) {
    if (part.size() > 19 || part.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    return error == std::errc() && end == part.data() + part.size();
  };
  std::uint64_t sequence = 0;
  std::uint64_t position = 0;
  if (!digits(text.substr(0, underscore), sequence) ||
      !digits(text.substr(underscore + 1), position)) {
    return std::nullopt;
  }
  return OffsetRequest{OffsetRequest::Kind::position, position};
}

} // namespace durable
