#include "view/state_render.hpp"

#include "json/pointer.hpp"
#include "sse/utf8.hpp"
#include "view/terminal_text.hpp"

#include <algorithm>

namespace view {
namespace {

using json = ::json::Value;

constexpr const char* k_reset = "\x1b[0m";
constexpr const char* k_key_style = "\x1b[1;34m";
constexpr const char* k_string_style = "\x1b[32m";
constexpr const char* k_number_style = "\x1b[36m";
constexpr const char* k_literal_style = "\x1b[33m";
constexpr const char* k_null_style = "\x1b[90m";
constexpr const char* k_highlight_color = "\x1b[1;30;43m";
constexpr const char* k_highlight_plain = "\x1b[7m";

// The display width of the code point CP: 2 for East Asian wide and emoji ranges, else 1.
// An approximation of wcwidth that needs no locale.
std::size_t code_point_columns(char32_t cp)
{
  const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF)
                    || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF)
                    || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60)
                    || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F)
                    || (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 2 : 1;
}

// The columns TEXT takes; TEXT is valid UTF-8, having been through the terminal escaping.
std::size_t text_columns(std::string_view text)
{
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size();) {
    const sse::Utf8Sequence sequence = sse::utf8_sequence_at(text, i);
    columns += code_point_columns(sequence.code_point);
    i += sequence.length;
  }
  return columns;
}

std::string json_literal(std::string_view text)
{
  std::string out;
  append_terminal_json_string(out, text);
  return out;
}

struct Segment {
  const char* style; // null: unstyled
  std::string text;
};

class Renderer {
public:
  Renderer(const ::json::Changes& changes, bool color, std::size_t width, std::size_t max_lines)
    : m_changes(changes), m_color(color), m_width(width), m_max_lines(max_lines)
  {
  }

  void value(const json& v, std::string& path, std::vector<Segment> prefix, bool comma)
  {
    if (m_lines.size() >= m_max_lines) {
      m_total += count(v);
      return;
    }
    const bool container = (v.is_object() || v.is_array()) && !v.empty();
    if (!container) {
      prefix.push_back(scalar(v));
      if (comma) {
        prefix.push_back({nullptr, ","});
      }
      line(path, std::move(prefix));
      return;
    }
    const bool object = v.is_object();
    prefix.push_back({nullptr, object ? "{" : "["});
    line(path, std::move(prefix));
    ++m_depth;
    std::size_t i = 0;
    const std::size_t size = v.size();
    const std::size_t length = path.size();
    if (object) {
      for (const auto& [key, member] : v.get_ref<const json::object_t&>()) {
        ::json::append_token(path, key);
        std::vector<Segment> member_prefix{{nullptr, indent()},
                                           {k_key_style, json_literal(key)},
                                           {nullptr, ": "}};
        value(member, path, std::move(member_prefix), ++i < size);
        path.resize(length);
      }
    } else {
      for (const auto& item : v.get_ref<const json::array_t&>()) {
        path += "/" + std::to_string(i);
        value(item, path, {{nullptr, indent()}}, ++i < size);
        path.resize(length);
      }
    }
    --m_depth;
    std::vector<Segment> close{{nullptr, indent() + (object ? "}" : "]") + (comma ? "," : "")}};
    line(path, std::move(close));
  }

  std::vector<Line> take(std::size_t& total)
  {
    total = m_total;
    return std::move(m_lines);
  }

private:
  std::string indent() const { return std::string(2 * m_depth, ' '); }

  static std::size_t count(const json& v)
  {
    if ((!v.is_object() && !v.is_array()) || v.empty()) {
      return 1;
    }
    std::size_t lines = 2;
    for (const auto& child : v) {
      lines += count(child);
    }
    return lines;
  }

  Segment scalar(const json& v) const
  {
    switch (v.type()) {
    case json::value_t::string:
      return {k_string_style, json_literal(v.get_ref<const std::string&>())};
    case json::value_t::null:
      return {k_null_style, "null"};
    case json::value_t::boolean:
      return {k_literal_style, v.get<bool>() ? "true" : "false"};
    case json::value_t::object:
      return {nullptr, "{}"};
    case json::value_t::array:
      return {nullptr, "[]"};
    default:
      return {k_number_style, v.dump()};
    }
  }

  bool highlighted(const std::string& path) const
  {
    for (const auto& written : m_changes.written) {
      if (written.empty() || path == written
          || (path.size() > written.size() && path.compare(0, written.size(), written) == 0
              && path[written.size()] == '/')) {
        return true;
      }
    }
    return std::find(m_changes.removed_from.begin(), m_changes.removed_from.end(), path)
           != m_changes.removed_from.end();
  }

  void line(const std::string& path, std::vector<Segment> segments)
  {
    ++m_total;
    if (m_lines.size() >= m_max_lines) {
      return;
    }
    const bool mark = highlighted(path);
    Line out{{}, 0};
    if (mark) {
      out.text += m_color ? k_highlight_color : k_highlight_plain;
    }
    // A line wider than the screen is cut, with an ellipsis in its last column, so that every
    // line takes exactly one row.
    std::size_t columns = 0;
    for (const auto& segment : segments) {
      columns += text_columns(segment.text);
    }
    const std::size_t budget = columns > m_width ? m_width - 1 : m_width;
    bool cut = false;
    for (const auto& segment : segments) {
      const bool styled = m_color && !mark && segment.style != nullptr;
      if (styled) {
        out.text += segment.style;
      }
      std::size_t i = 0;
      while (i < segment.text.size()) {
        const sse::Utf8Sequence sequence = sse::utf8_sequence_at(segment.text, i);
        const std::size_t width = code_point_columns(sequence.code_point);
        if (out.columns + width > budget) {
          cut = true;
          break;
        }
        out.text.append(segment.text, i, sequence.length);
        out.columns += width;
        i += sequence.length;
      }
      if (styled) {
        out.text += k_reset;
      }
      if (cut) {
        out.text += "\u2026";
        out.columns += 1;
        break;
      }
    }
    if (mark) {
      out.text += k_reset;
    }
    m_lines.push_back(std::move(out));
  }

  const ::json::Changes& m_changes;
  bool m_color;
  std::size_t m_width;
  std::size_t m_max_lines;
  std::size_t m_depth = 0;
  std::size_t m_total = 0;
  std::vector<Line> m_lines;
};

const json k_null;

} // namespace

std::vector<Line> render_state(const ::json::Value& state, const ::json::Changes& changes,
                               bool color, std::size_t width, std::size_t max_lines,
                               std::size_t& total)
{
  Renderer renderer(changes, color, std::max<std::size_t>(width, 8), max_lines);
  std::string path;
  renderer.value(state, path, {}, false);
  return renderer.take(total);
}

std::string render_frame(const ::json::Value* state, const ::json::Changes& changes,
                         const FrameHeader& header, ScreenSize size, bool color,
                         bool final_frame)
{
  const std::size_t rows = size.rows;
  const std::size_t cols = size.columns;
  // The header, then the state; a final frame goes to the normal screen, where it must leave
  // a line for the shell's prompt.
  const std::size_t body = std::max<std::size_t>(rows > 2 ? rows - (final_frame ? 2 : 1) : 1, 1);
  const json* shown = &k_null;
  if (state != nullptr) {
    shown = header.pointer.empty() ? state : ::json::find_pointer(*state, header.pointer);
    if (shown == nullptr) {
      shown = &k_null;
    }
  }
  std::size_t total = 0;
  static const ::json::Changes k_none;
  auto lines = render_state(*shown, final_frame ? k_none : changes, color, cols, body, total);
  if (total > lines.size()) {
    // The last line says what did not fit.
    lines.pop_back();
    const std::string more = "... " + std::to_string(total - lines.size()) + " more lines";
    lines.push_back({color ? k_null_style + more + k_reset : more, more.size()});
  }
  std::string title = header.title + ": state after event " + std::to_string(header.event);
  if (!header.pointer.empty()) {
    title += " at " + header.pointer;
  }
  if (header.skipped > 0) {
    title += " (" + std::to_string(header.skipped) + " skipped)";
  }
  if (title.size() > cols) {
    title.resize(cols);
  }
  std::string text;
  text += "\x1b[7m" + title + k_reset;
  for (const auto& line : lines) {
    text += final_frame ? "\n" : "\x1b[K\r\n";
    text += line.text;
  }
  return text;
}

} // namespace view
