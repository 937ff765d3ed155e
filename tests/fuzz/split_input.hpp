#pragma once
// The input layout of the fuzz targets that feed a stream in pieces: byte 0 says how many
// split sizes follow (up to 8), byte 1 is the target's own setting (its limits), then one byte
// per split size, then the stream. Shared so that seeds and corpora mean the same to each.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

struct SplitInput {
  std::uint8_t setting = 0;        ///< byte 1, for the target to read its limits from
  std::vector<std::size_t> sizes;  ///< the pieces to feed, each 1 to LARGEST bytes
  std::string_view stream;         ///< the rest of the input
};

/// DATA read as a SplitInput with pieces of at most LARGEST bytes, or nothing when it is too
/// short to hold its own split sizes.
inline std::optional<SplitInput> split_input(const std::uint8_t* data, std::size_t size,
                                             std::size_t largest)
{
  if (size < 2) {
    return std::nullopt;
  }
  const std::size_t count = data[0] % 9;
  if (size < 2 + count) {
    return std::nullopt;
  }
  SplitInput input;
  input.setting = data[1];
  for (std::size_t i = 0; i < count; ++i) {
    input.sizes.push_back(1 + data[2 + i] % largest);
  }
  input.stream = std::string_view(reinterpret_cast<const char*>(data) + 2 + count, size - 2 - count);
  return input;
}
