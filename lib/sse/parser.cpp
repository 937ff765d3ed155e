#include "sse/parser.hpp"

#include "sse/utf8.hpp"
#include "util/units.hpp"

#include <cstring>
#include <limits>

namespace sse {
namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

std::optional<std::uint64_t> parse_retry(std::string_view value)
{
  // Only ASCII digits count; an empty value or one beyond 64 bits is ignored like any other
  // value that is not a number.
  if (value.empty()) {
    return std::nullopt;
  }
  std::uint64_t result = 0;
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  for (char c : value) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (result > (max - digit) / 10) {
      return std::nullopt;
    }
    result = result * 10 + digit;
  }
  return result;
}

std::string_view strip_one_space(std::string_view value)
{
  if (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  return value;
}

} // namespace

std::string describe(const ParseFailure& failure, std::uint64_t limit)
{
  return std::string(failure.in_line ? "a line of event " : "event ")
         + std::to_string(failure.event_number) + " exceeds the maximum event size of "
         + util::format_size(limit);
}

Parser::Parser(ParserHandler& handler, ParserOptions options)
  : m_handler(handler), m_options(options)
{
}

bool Parser::feed(std::string_view bytes)
{
  if (m_failed) {
    return false;
  }
  if (bytes.empty()) {
    return true;
  }
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  m_chunk_raw_begin = p;
  if (m_skip_lf) {
    m_skip_lf = false;
    if (p < end && *p == '\n') {
      ++p;
    }
  }
  // The next CR at or after p, or end: remembered so that LF-only streams search for CR once
  // per chunk rather than once per line.
  const char* cr = p;
  bool cr_known = false;
  while (p < end && !m_failed) {
    if (!cr_known || cr < p) {
      const void* found = std::memchr(p, '\r', static_cast<std::size_t>(end - p));
      cr = found != nullptr ? static_cast<const char*>(found) : end;
      cr_known = true;
    }
    const char* line_end = nullptr;
    const char* next = nullptr;
    if (const void* lf = std::memchr(p, '\n', static_cast<std::size_t>(cr - p)); lf != nullptr) {
      line_end = static_cast<const char*>(lf);
      next = line_end + 1;
    } else if (cr < end) {
      line_end = cr;
      next = cr + 1;
      if (next == end) {
        m_skip_lf = true;
      } else if (*next == '\n') {
        ++next;
      }
    } else {
      if (m_line.empty()) {
        m_line_start = m_offset + static_cast<std::uint64_t>(p - bytes.data());
      }
      m_line.append(p, static_cast<std::size_t>(end - p));
      if (m_line.size() > m_options.max_event_size) {
        fail(m_line_start, true);
      }
      break;
    }
    m_line_end = next;
    if (m_line.empty()) {
      m_line_start = m_offset + static_cast<std::uint64_t>(p - bytes.data());
      process_line({p, static_cast<std::size_t>(line_end - p)});
    } else {
      m_line.append(p, static_cast<std::size_t>(line_end - p));
      process_line(m_line);
      m_line.clear();
    }
    p = next;
  }
  if (m_options.keep_raw && !m_failed) {
    m_raw.append(m_chunk_raw_begin, static_cast<std::size_t>(end - m_chunk_raw_begin));
    // Comment and unknown lines are not bounded by the event size, so a block that never
    // ends would grow this without limit: hand its start out early instead.
    if (m_raw.size() > m_options.max_event_size) {
      m_handler.on_raw(m_raw);
      m_raw.clear();
    }
  }
  m_offset += bytes.size();
  return !m_failed;
}

void Parser::finish()
{
  if (m_options.keep_raw && !m_raw.empty() && !m_failed) {
    m_handler.on_raw(m_raw);
  }
  m_raw.clear();
  m_line.clear();
  m_data.clear();
  m_data_bytes = 0;
  m_type.clear();
  m_type_bytes = 0;
  m_retry.reset();
  m_first_line = true;
  m_skip_lf = false;
  m_offset = 0;
  // A new stream starts from the last event ID string, as a browser's parser is set up on
  // reconnection; an id: of the discarded block is forgotten with it.
  m_id = m_dispatched_id;
  m_id_bytes = m_id.size();
}

void Parser::set_last_event_id(std::string id)
{
  m_id_bytes = id.size();
  m_dispatched_id = id;
  m_id = std::move(id);
}

void Parser::process_line(std::string_view line)
{
  if (line.size() > m_options.max_event_size) {
    fail(m_line_start, true);
    return;
  }
  if (m_first_line) {
    m_first_line = false;
    if (line.substr(0, k_bom.size()) == k_bom) {
      line.remove_prefix(k_bom.size());
    }
  }
  if (line.empty()) {
    dispatch();
    return;
  }
  if (line.front() == ':') {
    std::string text;
    append_utf8(text, line.substr(1));
    m_handler.on_comment(text);
    return;
  }
  // Nearly every line of a real stream is a data line: recognise it without searching.
  if (line.size() >= 5 && std::memcmp(line.data(), "data:", 5) == 0) {
    add_data(strip_one_space(line.substr(5)));
    return;
  }
  const void* colon = std::memchr(line.data(), ':', line.size());
  std::string_view name = line;
  std::string_view value;
  if (colon != nullptr) {
    const auto at = static_cast<std::size_t>(static_cast<const char*>(colon) - line.data());
    name = line.substr(0, at);
    value = strip_one_space(line.substr(at + 1));
  }
  // Field names are compared as bytes: a name with invalid UTF-8 decodes to something that
  // matches none of them either.
  if (name == "data") {
    add_data(value);
  } else if (name == "event") {
    set_field(m_type, m_type_bytes, value);
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) {
      set_field(m_id, m_id_bytes, value);
    }
  } else if (name == "retry") {
    if (auto retry = parse_retry(value)) {
      m_retry = retry;
      m_handler.on_retry(*retry);
    }
  }
}

void Parser::set_field(std::string& field, std::size_t& bytes, std::string_view value)
{
  bytes = value.size();
  if (!m_options.count_only) {
    field.clear();
    append_utf8(field, value);
  }
  check_event_size();
}

void Parser::add_data(std::string_view value)
{
  m_data_bytes += value.size() + 1;
  if (!m_options.count_only) {
    append_utf8(m_data, value);
    m_data.push_back('\n');
  }
  check_event_size();
}

void Parser::check_event_size()
{
  // Counted in bytes as received, so that count_only, which decodes nothing, agrees.
  if (m_data_bytes + m_type_bytes + m_id_bytes > m_options.max_event_size) {
    fail(m_line_start, false);
  }
}

void Parser::dispatch()
{
  if (m_dispatched_id != m_id) {
    m_dispatched_id = m_id;
  }
  if (m_data_bytes == 0) {
    m_type.clear();
    m_type_bytes = 0;
    m_retry.reset();
    if (m_options.keep_raw) {
      release_raw(static_cast<std::size_t>(m_line_end - m_chunk_raw_begin));
    }
    return;
  }
  if (!m_data.empty()) {
    m_data.pop_back();
  }
  ++m_events;
  EventView event{m_type.empty() ? k_default_type : std::string_view(m_type), m_data, m_id,
                  m_retry, {}};
  if (m_options.keep_raw) {
    const auto tail = static_cast<std::size_t>(m_line_end - m_chunk_raw_begin);
    if (m_raw.empty()) {
      event.raw = {m_chunk_raw_begin, tail};
    } else {
      m_raw.append(m_chunk_raw_begin, tail);
      event.raw = m_raw;
    }
  }
  m_handler.on_event(event);
  m_chunk_raw_begin = m_line_end;
  m_raw.clear();
  m_data.clear();
  m_data_bytes = 0;
  m_type.clear();
  m_type_bytes = 0;
  m_retry.reset();
}

void Parser::release_raw(std::size_t chunk_bytes)
{
  if (m_raw.empty()) {
    m_handler.on_raw({m_chunk_raw_begin, chunk_bytes});
  } else {
    m_raw.append(m_chunk_raw_begin, chunk_bytes);
    m_handler.on_raw(m_raw);
    m_raw.clear();
  }
  m_chunk_raw_begin = m_line_end;
}

void Parser::fail(std::uint64_t offset, bool in_line)
{
  m_failed = true;
  m_failure = {offset, m_events + 1, in_line};
  m_line.clear();
  m_line.shrink_to_fit();
  m_data.clear();
  m_data.shrink_to_fit();
}

} // namespace sse
