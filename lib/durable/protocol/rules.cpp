#include "durable/protocol/rules.hpp"

#include "json/value.hpp"

#include "util/text.hpp"

#include "json/value_type.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <ctime>
#include <random>

namespace durable {
namespace {

constexpr std::int64_t k_cursor_epoch_s = 1728432000; // 2024-10-09T00:00:00Z
constexpr std::int64_t k_cursor_interval_s = 20;

bool digits_only(std::string_view text)
{
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<int> number(std::string_view text)
{
  int value = 0;
  if (!digits_only(text)) {
    return std::nullopt;
  }
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

} // namespace

std::string media_type(std::string_view content_type)
{
  const auto semicolon = content_type.find(';');
  return util::to_lower(util::trim_ows(content_type.substr(0, semicolon)));
}

bool is_json(std::string_view content_type)
{
  return media_type(content_type) == "application/json";
}

bool is_text(std::string_view content_type)
{
  const std::string type = media_type(content_type);
  return type.rfind("text/", 0) == 0 || type == "application/json";
}

std::optional<std::uint64_t> parse_ttl(std::string_view text)
{
  if (!digits_only(text) || (text.size() > 1 && text.front() == '0') || text.size() > 15) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::optional<std::int64_t> parse_timestamp(std::string_view text)
{
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  const auto year = number(text.substr(0, 4));
  const auto month = number(text.substr(5, 2));
  const auto day = number(text.substr(8, 2));
  const auto hour = number(text.substr(11, 2));
  const auto minute = number(text.substr(14, 2));
  const auto second = number(text.substr(17, 2));
  if (!year || !month || !day || !hour || !minute || !second || *month < 1 || *month > 12 ||
      *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  std::size_t at = 19;
  std::int64_t millis = 0;
  if (at < text.size() && text[at] == '.') {
    const std::size_t start = ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (at - start < 3) {
        millis = millis * 10 + (text[at] - '0');
      }
      ++at;
    }
    if (at == start) {
      return std::nullopt;
    }
    for (std::size_t i = at - start; i < 3; ++i) {
      millis *= 10;
    }
  }
  std::int64_t offset_s = 0;
  const std::string_view zone = text.substr(at);
  if (zone == "Z" || zone == "z") {
    offset_s = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const auto zone_hour = number(zone.substr(1, 2));
    const auto zone_minute = number(zone.substr(4, 2));
    if (!zone_hour || !zone_minute || *zone_hour > 23 || *zone_minute > 59) {
      return std::nullopt;
    }
    offset_s = (*zone_hour * 3600 + *zone_minute * 60) * (zone[0] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  std::tm parts{};
  parts.tm_year = *year - 1900;
  parts.tm_mon = *month - 1;
  parts.tm_mday = *day;
  parts.tm_hour = *hour;
  parts.tm_min = *minute;
  parts.tm_sec = *second;
  const std::time_t seconds = ::timegm(&parts);
  return (static_cast<std::int64_t>(seconds) - offset_s) * 1000 + millis;
}

std::optional<std::uint64_t> parse_counter(std::string_view text)
{
  constexpr std::uint64_t k_max = (std::uint64_t{1} << 53) - 1;
  if (!digits_only(text) || text.size() > 16) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value > k_max) {
    return std::nullopt;
  }
  return value;
}

bool is_true(const std::string* value)
{
  return value != nullptr && util::to_lower(*value) == "true";
}

std::string next_cursor(std::int64_t now_ms, const std::optional<std::string>& client_cursor)
{
  const std::int64_t current = (now_ms / 1000 - k_cursor_epoch_s) / k_cursor_interval_s;
  if (client_cursor) {
    std::int64_t theirs = 0;
    const auto& text = *client_cursor;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), theirs);
    if (error == std::errc() && end == text.data() + text.size() && theirs >= current) {
      // Jitter of 1 to 3600 s, in whole intervals, so cursors only ever grow.
      static thread_local std::mt19937 random{std::random_device{}()};
      const std::int64_t jitter_s = std::uniform_int_distribution<std::int64_t>(1, 3600)(random);
      return std::to_string(theirs + (jitter_s + k_cursor_interval_s - 1) / k_cursor_interval_s);
    }
  }
  return std::to_string(current);
}

namespace {

// The base64 alphabet (RFC 4648 §4), digit value by digit value: the encoder's table, and the
// one the decoder's is made from.
constexpr char k_base64_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The value of each byte as a base64 digit, or -1.
constexpr auto k_base64_value = [] {
  std::array<signed char, 256> table{};
  table.fill(-1);
  for (int v = 0; v < 64; ++v) {
    table[static_cast<unsigned char>(k_base64_alphabet[v])] = static_cast<signed char>(v);
  }
  return table;
}();

} // namespace

std::string base64(std::string_view bytes)
{
  const auto& alphabet = k_base64_alphabet;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
                   (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                   static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const auto n = static_cast<unsigned char>(bytes[i]) << 16;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
                   (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> decode_base64(std::string_view text)
{
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t bits = 0;
  int count = 0;
  int padding = 0;
  for (const char c : text) {
    if (c == '\r' || c == '\n') {
      continue;
    }
    if (c == '=') {
      ++padding;
      continue;
    }
    const int v = k_base64_value[static_cast<unsigned char>(c)];
    if (v < 0 || padding > 0) {
      return std::nullopt;
    }
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    if (++count == 4) {
      out += static_cast<char>((bits >> 16) & 0xFF);
      out += static_cast<char>((bits >> 8) & 0xFF);
      out += static_cast<char>(bits & 0xFF);
      bits = 0;
      count = 0;
    }
  }
  if (count == 1 || (count != 0 && count + padding != 4) || (count == 0 && padding != 0)) {
    return std::nullopt;
  }
  if (count == 2) {
    out += static_cast<char>((bits >> 4) & 0xFF);
  } else if (count == 3) {
    out += static_cast<char>((bits >> 10) & 0xFF);
    out += static_cast<char>((bits >> 2) & 0xFF);
  }
  return out;
}

std::vector<std::string> json_messages(std::string_view body)
{
  // The depth-limited reader: a body nested deeper than json::k_max_depth is refused, never
  // written back by nlohmann's recursive dump().
  const auto value = json::parse_value(body);
  std::vector<std::string> messages;
  if (value.is_array()) {
    for (const auto& element : value) {
      messages.push_back(element.dump());
    }
  } else {
    messages.push_back(value.dump());
  }
  return messages;
}

std::string sse_event(std::string_view type, std::string_view payload)
{
  std::string out = "event: ";
  out += type;
  out += '\n';
  out.reserve(out.size() + payload.size() + 16);
  while (true) {
    // One pass over the bytes: find_first_of would call memchr once per byte for each of the
    // two characters.
    const auto stop = std::find_if(payload.begin(), payload.end(),
                                   [](char c) { return c == '\r' || c == '\n'; });
    const auto end = stop == payload.end() ? std::string_view::npos
                                           : static_cast<std::size_t>(stop - payload.begin());
    out += "data:";
    out += payload.substr(0, end);
    out += '\n';
    if (end == std::string_view::npos) {
      break;
    }
    payload.remove_prefix(end + (payload.substr(end, 2) == "\r\n" ? 2 : 1));
  }
  out += '\n';
  return out;
}

} // namespace durable
