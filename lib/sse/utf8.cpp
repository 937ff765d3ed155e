#include "sse/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace sse {
namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD";

// Index of the first non-ASCII byte at or after FROM; mostly-ASCII text is checked a word at a
// time because this runs on every data line.
std::size_t skip_ascii(const unsigned char* p, std::size_t from, std::size_t size)
{
  std::size_t i = from;
  while (i + 8 <= size) {
    std::uint64_t word = 0;
    std::memcpy(&word, p + i, 8);
    if ((word & 0x8080808080808080ULL) != 0) {
      break;
    }
    i += 8;
  }
  // Short values rarely fill a word: test the last eight bytes with one overlapping load.
  if (i + 8 > size && size >= 8 && i < size) {
    std::uint64_t word = 0;
    std::memcpy(&word, p + size - 8, 8);
    if ((word & 0x8080808080808080ULL) == 0) {
      return size;
    }
  }
  while (i < size && p[i] < 0x80) {
    ++i;
  }
  return i;
}

} // namespace

void append_utf8(std::string& out, std::string_view bytes)
{
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t size = bytes.size();
  std::size_t run = 0; // start of the bytes not yet copied
  std::size_t i = 0;
  while (true) {
    i = skip_ascii(p, i, size);
    if (i == size) {
      break;
    }
    const int length = utf8_subpart_length(p, i, size);
    if (length > 0) {
      i += static_cast<std::size_t>(length);
      continue;
    }
    out.append(bytes.data() + run, i - run);
    out.append(k_replacement);
    i += static_cast<std::size_t>(-length);
    run = i;
  }
  out.append(bytes.data() + run, size - run);
}

bool is_valid_utf8(std::string_view bytes)
{
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t i = 0;
  while ((i = skip_ascii(p, i, bytes.size())) < bytes.size()) {
    const int length = utf8_subpart_length(p, i, bytes.size());
    if (length < 0) {
      return false;
    }
    i += static_cast<std::size_t>(length);
  }
  return true;
}

Utf8Sequence utf8_sequence_at(std::string_view bytes, std::size_t at)
{
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned char lead = p[at];
  if (lead < 0x80) {
    return {lead, 1, true};
  }
  const int length = utf8_subpart_length(p, at, bytes.size());
  if (length < 0) {
    return {U'\uFFFD', static_cast<std::size_t>(-length), false};
  }
  char32_t cp = length == 2 ? (lead & 0x1F) : length == 3 ? (lead & 0x0F) : (lead & 0x07);
  for (int k = 1; k < length; ++k) {
    cp = (cp << 6) | (p[at + static_cast<std::size_t>(k)] & 0x3F);
  }
  return {cp, static_cast<std::size_t>(length), true};
}

} // namespace sse
