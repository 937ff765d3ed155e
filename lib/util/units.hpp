#pragma once
// Sizes ("64KiB", "10MB") and durations ("500ms", "15s", "2m") as written on command lines.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace util {

/// Bytes in TEXT: a whole number with an optional unit B, K/KB (1000), KiB (1024), M/MB, MiB,
/// G/GB, GiB (units are case-insensitive). Empty on anything else or on overflow.
std::optional<std::uint64_t> parse_size(std::string_view text);

/// The longest duration anything waits for: 10^12 ms, about 31 years. Beyond any timeout
/// anyone means, and a deadline this far from now still fits a steady_clock time_point.
inline constexpr std::chrono::milliseconds k_max_duration{1'000'000'000'000};

/// The duration in TEXT: a whole or decimal number with a unit ms, s, m or h; a bare number is
/// seconds. Empty on anything else, on a negative value, or beyond k_max_duration.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// MS milliseconds (as read from a file), or empty beyond k_max_duration.
std::optional<std::chrono::milliseconds> duration_from_ms(std::uint64_t ms);

/// Bytes written the way parse_size reads them back, in the largest exact binary unit ("16MiB").
std::string format_size(std::uint64_t bytes);

/// DURATION written the way parse_duration reads it back, in the largest exact unit ("30s").
std::string format_duration(std::chrono::milliseconds duration);

} // namespace util
