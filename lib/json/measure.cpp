#include "json/string_scan.hpp"
#include "json/value.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

// How deep and how large values and texts are, measured without recursion.

namespace json {

using json = Value;

std::size_t text_depth(std::string_view text)
{
  std::size_t depth = 0;
  std::size_t deepest = 0;
  StringScan strings;
  for (const char c : text) {
    if (strings.consumes(c)) {
      continue;
    }
    if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

namespace {

// The digits of N.
std::uint64_t digits(std::uint64_t n)
{
  std::uint64_t count = 1;
  while (n >= 10) {
    n /= 10;
    ++count;
  }
  return count;
}

// Calls VISIT(value, depth) for VALUE and everything inside it, depth first, with an explicit
// stack instead of recursion; VISIT returns false to stop the walk.
template <typename Visit>
void walk(const json& value, Visit visit)
{
  struct Frame {
    json::const_iterator at;
    json::const_iterator end;
  };
  if (!visit(value, 0) || !value.is_structured()) {
    return;
  }
  std::vector<Frame> stack{{value.cbegin(), value.cend()}};
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.at == top.end) {
      stack.pop_back();
      continue;
    }
    const json& child = *top.at;
    ++top.at;
    if (!visit(child, stack.size())) {
      return;
    }
    if (child.is_structured() && !child.empty()) {
      stack.push_back({child.cbegin(), child.cend()});
    }
  }
}

} // namespace

std::size_t depth_of(const Value& value, std::size_t stop)
{
  std::size_t deepest = 0;
  walk(value, [&](const json& at, std::size_t depth) {
    if (at.is_structured()) {
      deepest = std::max(deepest, depth + 1);
    }
    if (deepest > stop) {
      deepest = stop + 1;
      return false;
    }
    return true;
  });
  return deepest;
}

std::uint64_t size_of(const Value& value, std::uint64_t limit)
{
  std::uint64_t size = 0;
  walk(value, [&](const json& at, std::size_t) {
    switch (at.type()) {
    case json::value_t::object: {
      const auto& object = at.get_ref<const json::object_t&>();
      // Braces, and for each member its quoted name, a colon and a comma (one fewer).
      size += 2 + (object.empty() ? 0 : object.size() * 4 - 1);
      for (const auto& member : object) {
        size += member.first.size();
      }
      break;
    }
    case json::value_t::array: {
      const auto count = at.size();
      size += 2 + (count == 0 ? 0 : count - 1);
      break;
    }
    case json::value_t::string:
      size += 2 + at.get_ref<const std::string&>().size();
      break;
    case json::value_t::boolean:
      size += at.get<bool>() ? 4 : 5;
      break;
    case json::value_t::null:
      size += 4;
      break;
    case json::value_t::number_unsigned:
      size += digits(at.get<std::uint64_t>());
      break;
    case json::value_t::number_integer: {
      const auto n = at.get<std::int64_t>();
      size += n < 0 ? 1 + digits(0 - static_cast<std::uint64_t>(n)) : digits(static_cast<std::uint64_t>(n));
      break;
    }
    default:
      size += 8;
    }
    return size <= limit;
  });
  return size;
}

} // namespace json
