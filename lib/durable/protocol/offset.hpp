#pragma once
// Durable Streams offsets as the conformance suite expects them (DIGEST.md §3.10): two
// 16-digit zero-padded decimals joined by '_'. The first is always 0 here; the second is the
// logical position in the stream.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace durable {

std::string format_offset(std::uint64_t position);

/// What an `offset` parameter asks for.
struct OffsetRequest {
  enum class Kind { start, now, position };
  Kind kind = Kind::start;
  std::uint64_t position = 0;
};

/// Reads "-1", "now" or an issued offset; nullopt for anything else (a 400).
std::optional<OffsetRequest> parse_offset(std::string_view text);

} // namespace durable
