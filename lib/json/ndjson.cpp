#include "json/ndjson.hpp"

#include "json/string_scan.hpp"
#include "json/value.hpp"
#include "util/error.hpp"

#include "json/value_type.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <cstdint>

namespace json {
namespace {

// 0: copy the byte; 1: a two-character escape; 2: \u00XX.
constexpr std::array<std::uint8_t, 256> k_escape = [] {
  std::array<std::uint8_t, 256> table{};
  for (int c = 0; c < 0x20; ++c) {
    table[static_cast<std::size_t>(c)] = 2;
  }
  for (unsigned char c : {'"', '\\', '\b', '\f', '\n', '\r', '\t'}) {
    table[c] = 1;
  }
  return table;
}();

char short_escape(char c)
{
  switch (c) {
  case '\b':
    return 'b';
  case '\f':
    return 'f';
  case '\n':
    return 'n';
  case '\r':
    return 'r';
  case '\t':
    return 't';
  default:
    return c; // '"' and '\\' escape as themselves
  }
}

// The high bit of each byte of WORD that is a control character, '"' or '\\' (the bytes
// JSON escapes), after "Bit Twiddling Hacks". Borrows can flag a byte above a real match, so
// only the lowest flag is exact; UTF-8 bytes (0x80 and up) are never flagged.
std::uint64_t escape_mask(std::uint64_t word)
{
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  const std::uint64_t below_space = (word - ones * 0x20) & ~word & highs;
  const std::uint64_t quote = word ^ (ones * '"');
  const std::uint64_t backslash = word ^ (ones * '\\');
  const std::uint64_t has_quote = (quote - ones) & ~quote & highs;
  const std::uint64_t has_backslash = (backslash - ones) & ~backslash & highs;
  return below_space | has_quote | has_backslash;
}

bool is_json_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

util::Error bad(const std::string& what)
{
  return util::Error(util::Errc::bad_input, what);
}

std::string text_field(const Value& object, const char* key, bool allow_integer)
{
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return {};
  }
  if (it->is_string()) {
    return it->get<std::string>();
  }
  if (allow_integer && (it->is_number_integer() || it->is_number_unsigned())) {
    return it->dump();
  }
  throw bad(std::string("\"") + key + "\" is not a string");
}

} // namespace

void append_string(std::string& out, std::string_view text)
{
  static constexpr char hex[] = "0123456789abcdef";
  // Escaping writes through a pointer into a stack buffer, which is much faster than many
  // short std::string appends; a byte expands to at most six, so pieces of k_piece bytes fit.
  constexpr std::size_t k_piece = 512;
  char buffer[k_piece * 6];
  out.push_back('"');
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const char* const piece_end = p + std::min<std::size_t>(k_piece, static_cast<std::size_t>(end - p));
    char* dst = buffer;
    auto escape = [&dst](unsigned char c) {
      switch (k_escape[c]) {
      case 0:
        *dst++ = static_cast<char>(c);
        break;
      case 1:
        *dst++ = '\\';
        *dst++ = short_escape(static_cast<char>(c));
        break;
      default:
        std::memcpy(dst, "\\u00", 4);
        dst[4] = hex[c >> 4];
        dst[5] = hex[c & 0xF];
        dst += 6;
      }
    };
    while (piece_end - p >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, p, 8);
      // Copy the whole word, then keep only the bytes before the first one to escape.
      std::memcpy(dst, p, 8);
      const std::uint64_t mask = escape_mask(word);
      if (mask == 0) {
        p += 8;
        dst += 8;
        continue;
      }
      const int zero_bits = std::endian::native == std::endian::little ? std::countr_zero(mask)
                                                                       : std::countl_zero(mask);
      const auto clean = static_cast<std::size_t>(zero_bits / 8);
      p += clean;
      dst += clean;
      escape(static_cast<unsigned char>(*p++));
    }
    while (p < piece_end) {
      escape(static_cast<unsigned char>(*p++));
    }
    out.append(buffer, static_cast<std::size_t>(dst - buffer));
  }
  out.push_back('"');
}

bool append_minified(std::string& out, std::string_view text)
{
  if (!Value::accept(text.begin(), text.end())) {
    return false;
  }
  // Nothing deeper than k_max_depth is written, as nothing deeper is read: the depth is
  // counted in the same pass that drops the spaces, and what was written is taken back.
  const std::size_t start = out.size();
  StringScan strings;
  std::size_t depth = 0;
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (strings.consumes(c)) {
      continue;
    }
    if (c == '[' || c == '{') {
      if (++depth > k_max_depth) {
        out.resize(start);
        return false;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (is_json_space(c)) {
      out.append(text.data() + run, i - run);
      run = i + 1;
    }
  }
  out.append(text.data() + run, text.size() - run);
  return true;
}

void append_event(std::string& out, const sse::EventView& event, bool json_data)
{
  out.append("{\"event\":");
  append_string(out, event.type);
  out.append(",\"data\":");
  if (!json_data || !append_minified(out, event.data)) {
    append_string(out, event.data);
  }
  if (!event.id.empty()) {
    out.append(",\"id\":");
    append_string(out, event.id);
  }
  if (event.retry) {
    out.append(",\"retry\":");
    out.append(std::to_string(*event.retry));
  }
  out.push_back('}');
}

std::variant<sse::Event, Comment> parse_event_line(std::string_view line)
{
  // The depth-limited reader: data nested deeper than k_max_depth is refused here rather than
  // overflowing the stack when it is written back.
  return event_from_object(parse_value(line));
}

std::variant<sse::Event, Comment> event_from_object(const Value& object)
{
  if (!object.is_object()) {
    throw bad(std::string("not a JSON object but ") + object.type_name());
  }
  if (const auto it = object.find("comment"); it != object.end() && !object.contains("data")) {
    if (!it->is_string()) {
      throw bad("\"comment\" is not a string");
    }
    return Comment{it->get<std::string>()};
  }
  sse::Event event;
  event.type = text_field(object, "event", false);
  if (event.type.empty()) {
    event.type = sse::k_default_type;
  }
  event.id = text_field(object, "id", true);
  if (const auto it = object.find("data"); it != object.end() && !it->is_null()) {
    event.data = it->is_string() ? it->get<std::string>() : it->dump();
  }
  if (const auto it = object.find("retry"); it != object.end() && !it->is_null()) {
    if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<std::int64_t>() >= 0)) {
      throw bad("\"retry\" is not a non-negative integer");
    }
    event.retry = it->get<std::uint64_t>();
  }
  return event;
}

} // namespace json
