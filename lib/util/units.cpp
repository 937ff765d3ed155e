#include "util/units.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace util {
namespace {

// Splits "12.5ms" into the number and the unit; the number must be digits with at most one dot.
bool split_number(std::string_view text, bool allow_fraction, std::string_view& number,
                  std::string_view& unit)
{
  std::size_t i = 0;
  bool dot = false;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0
                             || (allow_fraction && text[i] == '.' && !dot))) {
    dot = dot || text[i] == '.';
    ++i;
  }
  number = text.substr(0, i);
  unit = text.substr(i);
  return !number.empty() && number != ".";
}

} // namespace

std::optional<std::uint64_t> parse_size(std::string_view text)
{
  std::string_view number;
  std::string_view unit_text;
  if (!split_number(text, false, number, unit_text)) {
    return std::nullopt;
  }
  const std::string unit = util::to_lower(unit_text);
  std::uint64_t multiplier = 0;
  if (unit.empty() || unit == "b") {
    multiplier = 1;
  } else if (unit == "k" || unit == "kb") {
    multiplier = 1000;
  } else if (unit == "kib") {
    multiplier = 1024;
  } else if (unit == "m" || unit == "mb") {
    multiplier = 1000 * 1000;
  } else if (unit == "mib") {
    multiplier = 1024 * 1024;
  } else if (unit == "g" || unit == "gb") {
    multiplier = 1000 * 1000 * 1000;
  } else if (unit == "gib") {
    multiplier = 1024ULL * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  for (char c : number) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) {
      return std::nullopt;
    }
    value = value * 10 + digit;
  }
  if (value > max / multiplier) {
    return std::nullopt;
  }
  return value * multiplier;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text)
{
  std::string_view number;
  std::string_view unit_text;
  if (!split_number(text, true, number, unit_text)) {
    return std::nullopt;
  }
  const std::string unit = util::to_lower(unit_text);
  double scale = 0;
  if (unit == "ms") {
    scale = 1;
  } else if (unit.empty() || unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60 * 1000;
  } else if (unit == "h") {
    scale = 3600 * 1000;
  } else {
    return std::nullopt;
  }
  double value = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (error != std::errc() || end != number.data() + number.size()) {
    return std::nullopt; // too many digits for a double, as well as beyond the bound
  }
  const double ms = value * scale;
  if (!std::isfinite(ms) || ms > static_cast<double>(k_max_duration.count())) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
}

std::optional<std::chrono::milliseconds> duration_from_ms(std::uint64_t ms)
{
  if (ms > static_cast<std::uint64_t>(k_max_duration.count())) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

std::string format_size(std::uint64_t bytes)
{
  static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB"};
  std::size_t unit = 0;
  while (unit + 1 < std::size(units) && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + units[unit];
}

std::string format_duration(std::chrono::milliseconds duration)
{
  struct Unit {
    const char* name;
    std::int64_t ms;
  };
  static constexpr Unit units[] = {{"h", 3'600'000}, {"m", 60'000}, {"s", 1000}};
  const std::int64_t ms = duration.count();
  for (const auto& unit : units) {
    if (ms != 0 && ms % unit.ms == 0) {
      return std::to_string(ms / unit.ms) + unit.name;
    }
  }
  return std::to_string(ms) + "ms";
}

} // namespace util
