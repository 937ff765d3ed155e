#include "json/value.hpp"

#include "json/patch.hpp"
#include "json/utf8_bytes.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <limits>

namespace json {
namespace {

using json = Value;

// The bytes a string copies as they are: printable ASCII but '"' and '\\'.
constexpr auto k_plain = [] {
  std::array<bool, 256> table{};
  for (int c = 0x20; c < 0x80; ++c) {
    table[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
  }
  return table;
}();

// What each one-letter escape stands for ('\n' after "\\n"), or 0 when the letter makes none.
constexpr auto k_unescaped = [] {
  std::array<char, 256> table{};
  for (const char c : {'"', '\\', '/'}) {
    table[static_cast<unsigned char>(c)] = c;
  }
  table['b'] = '\b';
  table['f'] = '\f';
  table['n'] = '\n';
  table['r'] = '\r';
  table['t'] = '\t';
  return table;
}();

// A recursive-descent reader over a byte range. Each value is built in place in the json it
// will live in, so nothing is copied after parsing. The small steps every member or container
// takes are always inlined: they were written out in each caller before they had a name, and
// a call per member costs the patch and parse benchmarks measurably.
class Reader {
public:
  Reader(std::string_view text, std::size_t max_depth)
    : m_begin(text.data()), m_p(text.data()), m_end(text.data() + text.size()),
      m_max_depth(max_depth)
  {
  }

  json document()
  {
    json value;
    skip_space();
    read_value(value, 0);
    expect_end();
    return value;
  }

  // A patch: an array read element by element; operation objects go straight into
  // Operation fields. False when the text is not an array.
  bool patch(ParsedPatch& out)
  {
    skip_space();
    if (m_p == m_end || *m_p != '[') {
      return false;
    }
    out.size = 0;
    if (open(1, ']')) {
      json scratch;
      do {
        if (out.size == out.operations.size()) {
          out.operations.emplace_back();
        }
        Operation& operation = out.operations[out.size++];
        operation.reset();
        if (m_p != m_end && *m_p == '{') {
          read_operation(operation, scratch);
        } else {
          read_value(scratch, 1);
          operation.is_object = false;
          operation.kind = kind_of(scratch);
        }
      } while (another(']'));
    }
    expect_end();
    return true;
  }

  void event_line(EventLine& out)
  {
    out.event = EventLine::Kind::missing;
    out.data = EventLine::Kind::missing;
    out.comment = false;
    out.data_value = nullptr;
    skip_space();
    if (m_p == m_end || *m_p != '{') {
      json value;
      read_value(value, 0);
      skip_space();
      if (m_p != m_end) {
        fail("unexpected text after the value");
      }
      throw util::Error(util::Errc::bad_input,
                        std::string("not a JSON object but ") + value.type_name());
    }
    ++m_p;
    skip_space();
    std::string key;
    json scratch;
    if (m_p != m_end && *m_p == '}') {
      ++m_p;
    } else {
      do {
        read_member_name(key);
        // As JSON.parse, a repeated member keeps its last value.
        if (key == "event" || key == "data") {
          std::string& text = key == "event" ? out.event_text : out.data_text;
          EventLine::Kind& kind = key == "event" ? out.event : out.data;
          if (m_p != m_end && *m_p == '"') {
            text.clear();
            read_string(text);
            kind = EventLine::Kind::string;
          } else if (key == "data") {
            read_value(out.data_value, 0);
            kind = out.data_value.is_null() ? EventLine::Kind::null : EventLine::Kind::other;
          } else {
            read_value(scratch, 0);
            kind = scratch.is_null() ? EventLine::Kind::null : EventLine::Kind::other;
            out.other_type = scratch.type_name();
          }
        } else {
          out.comment = out.comment || key == "comment";
          read_value(scratch, 0);
        }
      } while (another('}'));
    }
    expect_end();
  }

private:
  // An operation object at depth 2, as read_object reads one.
  void read_operation(Operation& operation, json& scratch)
  {
    if (!open(2, '}')) {
      return;
    }
    std::string& key = m_key;
    do {
      read_member_name(key);
      Operation::Text* text = nullptr;
      if (key == "op") {
        text = &operation.op;
      } else if (key == "path") {
        text = &operation.path;
      } else if (key == "from") {
        text = &operation.from;
      }
      if (text != nullptr) {
        text->present = true;
        if (m_p != m_end && *m_p == '"') {
          text->is_string = true;
          text->text.clear();
          read_string(text->text);
        } else {
          read_value(scratch, 2);
          text->is_string = false;
          text->kind = kind_of(scratch);
        }
      } else if (key == "value") {
        operation.has_value = true;
        read_value(operation.value, 2);
      } else {
        read_value(scratch, 2);
      }
    } while (another('}'));
  }

  std::string m_key;

  std::string located(const std::string& what) const
  {
    return "invalid JSON: " + what + " at byte " + std::to_string(m_p - m_begin);
  }
  [[noreturn]] void fail(const std::string& what) const
  {
    throw util::Error(util::Errc::bad_input, located(what));
  }

  // Only space may follow the value.
  [[gnu::always_inline]] void expect_end()
  {
    skip_space();
    if (m_p != m_end) {
      fail("unexpected text after the value");
    }
  }

  void skip_space()
  {
    while (m_p != m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t')) {
      ++m_p;
    }
  }

  void expect_word(std::string_view word)
  {
    if (static_cast<std::size_t>(m_end - m_p) < word.size()
        || std::memcmp(m_p, word.data(), word.size()) != 0) {
      fail("unexpected character");
    }
    m_p += word.size();
  }

  // Reads a member name and the ':' after it, leaving the input at the member's value.
  [[gnu::always_inline]] void read_member_name(std::string& key)
  {
    if (m_p == m_end || *m_p != '"') {
      fail(m_p == m_end ? "unexpected end of input" : "expected a member name");
    }
    key.clear();
    read_string(key);
    skip_space();
    if (m_p == m_end || *m_p != ':') {
      fail(m_p == m_end ? "unexpected end of input" : "expected ':'");
    }
    ++m_p;
    skip_space();
  }

  // After a member or an element: true when a ',' says another follows, false at CLOSE.
  bool another(char close)
  {
    skip_space();
    if (m_p == m_end) {
      fail("unexpected end of input");
    }
    if (*m_p == ',') {
      ++m_p;
      skip_space();
      return true;
    }
    if (*m_p == close) {
      ++m_p;
      return false;
    }
    fail(close == ']' ? "expected ',' or ']'" : "expected ',' or '}'");
  }

  void read_value(json& out, std::size_t depth)
  {
    if (m_p == m_end) {
      fail("unexpected end of input");
    }
    switch (*m_p) {
    case '{':
      read_object(out, depth + 1);
      return;
    case '[':
      read_array(out, depth + 1);
      return;
    case '"': {
      out = json::value_t::string;
      read_string(out.get_ref<json::string_t&>());
      return;
    }
    case 't':
      expect_word("true");
      out = true;
      return;
    case 'f':
      expect_word("false");
      out = false;
      return;
    case 'n':
      expect_word("null");
      out = nullptr;
      return;
    default:
      if (*m_p == '-' || (*m_p >= '0' && *m_p <= '9')) {
        read_number(out);
        return;
      }
      fail("unexpected character");
    }
  }

  void check_depth(std::size_t depth) const
  {
    if (depth > m_max_depth) {
      throw TooDeep(util::Errc::bad_input,
                    located(m_max_depth == k_max_depth
                              ? too_deep()
                              : "nested more than " + std::to_string(m_max_depth) + " levels deep"));
    }
  }

  // Steps into the array or object that starts at m_p, at DEPTH, and past the space after
  // its opening bracket; false (and past CLOSE) when it is empty.
  [[gnu::always_inline]] bool open(std::size_t depth, char close)
  {
    check_depth(depth);
    ++m_p;
    skip_space();
    if (m_p != m_end && *m_p == close) {
      ++m_p;
      return false;
    }
    return true;
  }

  void read_object(json& out, std::size_t depth)
  {
    const bool empty = !open(depth, '}');
    out = json::value_t::object;
    if (empty) {
      return;
    }
    auto& object = out.get_ref<json::object_t&>();
    std::string key;
    do {
      read_member_name(key);
      // A repeated name keeps its last value, as JSON.parse does.
      auto [it, inserted] = object.try_emplace(std::move(key));
      if (!inserted) {
        it->second = nullptr;
      }
      read_value(it->second, depth);
    } while (another('}'));
  }

  void read_array(json& out, std::size_t depth)
  {
    const bool empty = !open(depth, ']');
    out = json::value_t::array;
    if (empty) {
      return;
    }
    auto& array = out.get_ref<json::array_t&>();
    do {
      read_value(array.emplace_back(), depth);
    } while (another(']'));
  }

  unsigned read_hex4()
  {
    if (m_end - m_p < 4) {
      fail("unexpected end of input in a \\u escape");
    }
    unsigned value = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = util::hex_value(m_p[i]);
      if (digit < 0) {
        fail("invalid \\u escape");
      }
      value = value * 16 + static_cast<unsigned>(digit);
    }
    m_p += 4;
    return value;
  }

  void read_string(std::string& out)
  {
    ++m_p; // opening quote
    while (true) {
      // Copy the run of plain ASCII in one go: the common case.
      const char* run = m_p;
      while (m_p != m_end && k_plain[static_cast<unsigned char>(*m_p)]) {
        ++m_p;
      }
      out.append(run, static_cast<std::size_t>(m_p - run));
      if (m_p == m_end) {
        fail("unterminated string");
      }
      const auto c = static_cast<unsigned char>(*m_p);
      if (c == '"') {
        ++m_p;
        return;
      }
      if (c < 0x20) {
        fail("control character in a string");
      }
      if (c >= 0x80) {
        const std::size_t length = utf8_length(m_p, m_end);
        if (length == 0) {
          fail("invalid UTF-8 in a string");
        }
        out.append(m_p, length);
        m_p += length;
        continue;
      }
      // A backslash escape.
      ++m_p;
      if (m_p == m_end) {
        fail("unterminated string");
      }
      const char e = *m_p++;
      if (const char unescaped = k_unescaped[static_cast<unsigned char>(e)]; unescaped != 0) {
        out.push_back(unescaped);
        continue;
      }
      if (e != 'u') {
        --m_p;
        fail("invalid escape");
      }
      // A \u escape: one code point, or a surrogate pair that makes one.
      unsigned cp = read_hex4();
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u') {
          fail("lone surrogate in a \\u escape");
        }
        m_p += 2;
        const unsigned low = read_hex4();
        if (low < 0xDC00 || low > 0xDFFF) {
          fail("lone surrogate in a \\u escape");
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        fail("lone surrogate in a \\u escape");
      }
      append_code_point(out, cp);
    }
  }

  void read_number(json& out)
  {
    const char* start = m_p;
    const bool negative = *m_p == '-';
    if (negative) {
      ++m_p;
    }
    if (m_p == m_end || *m_p < '0' || *m_p > '9') {
      fail("invalid number");
    }
    std::uint64_t magnitude = 0;
    bool overflow = false;
    if (*m_p == '0') {
      ++m_p;
    } else {
      while (m_p != m_end && *m_p >= '0' && *m_p <= '9') {
        const auto digit = static_cast<std::uint64_t>(*m_p - '0');
        if (magnitude > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
          overflow = true;
        } else {
          magnitude = magnitude * 10 + digit;
        }
        ++m_p;
      }
    }
    bool integral = true;
    if (m_p != m_end && *m_p == '.') {
      integral = false;
      ++m_p;
      if (m_p == m_end || *m_p < '0' || *m_p > '9') {
        fail("invalid number");
      }
      while (m_p != m_end && *m_p >= '0' && *m_p <= '9') {
        ++m_p;
      }
    }
    if (m_p != m_end && (*m_p == 'e' || *m_p == 'E')) {
      integral = false;
      ++m_p;
      if (m_p != m_end && (*m_p == '+' || *m_p == '-')) {
        ++m_p;
      }
      if (m_p == m_end || *m_p < '0' || *m_p > '9') {
        fail("invalid number");
      }
      while (m_p != m_end && *m_p >= '0' && *m_p <= '9') {
        ++m_p;
      }
    }
    if (integral && !overflow) {
      if (!negative) {
        out = static_cast<json::number_unsigned_t>(magnitude);
        return;
      }
      constexpr auto limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;
      if (magnitude <= limit) {
        out = magnitude == limit ? std::numeric_limits<std::int64_t>::min()
                                 : -static_cast<std::int64_t>(magnitude);
        return;
      }
    }
    double value = 0;
    const auto result = std::from_chars(start, m_p, value);
    if (result.ec == std::errc::result_out_of_range) {
      // from_chars reports both overflow and underflow without a value; strtod tells them
      // apart. Underflow ("1e-400") rounds to zero as JSON.parse does; overflow would be
      // infinite, which JSON cannot write back, so it is refused.
      const std::string copy(start, m_p);
      value = std::strtod(copy.c_str(), nullptr);
      if (std::isinf(value)) {
        m_p = start;
        fail("number out of range");
      }
    } else if (result.ec != std::errc() || result.ptr != m_p) {
      m_p = start;
      fail("invalid number");
    }
    out = value;
  }

  const char* m_begin;
  const char* m_p;
  const char* m_end;
  std::size_t m_max_depth;
};

} // namespace

Value parse_value(std::string_view text, std::size_t max_depth)
{
  return Reader(text, max_depth).document();
}

void check_text(std::string_view text, std::size_t max_depth)
{
  (void)Reader(text, max_depth).document();
}

Value parse_or_discarded(std::string_view text)
{
  try {
    return parse_value(text);
  } catch (const util::Error&) {
    return Value(Value::value_t::discarded);
  }
}

bool read_patch(std::string_view text, ParsedPatch& out)
{
  return Reader(text, k_max_depth).patch(out);
}

const char* kind_of(const Value& value)
{
  switch (value.type()) {
  case json::value_t::object:
    return "an object";
  case json::value_t::array:
    return "an array";
  case json::value_t::string:
    return "a string";
  case json::value_t::boolean:
    return "a boolean";
  case json::value_t::null:
    return "null";
  default:
    return "a number";
  }
}

void read_event_line(std::string_view line, EventLine& out, std::size_t max_depth)
{
  Reader(line, max_depth).event_line(out);
}

std::string too_deep()
{
  return "nested more than " + std::to_string(k_max_depth) + " levels deep";
}

void append_compact(std::string& out, const Value& value)
{
  out += value.dump();
}

} // namespace json
