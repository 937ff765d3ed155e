#include "json/pointer.hpp"

#include "util/error.hpp"

#include <limits>

namespace json {

std::string pointer_problem(std::string_view pointer)
{
  if (pointer.empty()) {
    return {};
  }
  if (pointer.front() != '/') {
    return "a JSON pointer must be empty or start with '/'";
  }
  for (std::size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] == '~'
        && (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))) {
      return "'~' must be followed by '0' or '1' in a JSON pointer";
    }
  }
  return {};
}

std::optional<std::string_view> PointerTokens::next()
{
  if (m_rest.empty()) {
    return std::nullopt;
  }
  m_rest.remove_prefix(1); // the '/'
  const std::size_t stop = std::min(m_rest.find('/'), m_rest.size());
  const std::string_view raw = m_rest.substr(0, stop);
  m_rest.remove_prefix(stop);
  if (raw.find('~') == std::string_view::npos) {
    return raw;
  }
  m_token.clear();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '~' && i + 1 < raw.size()) {
      m_token.push_back(raw[i + 1] == '1' ? '/' : '~');
      ++i;
    } else {
      m_token.push_back(raw[i]);
    }
  }
  return std::string_view(m_token);
}

std::vector<std::string> split_pointer(std::string_view pointer)
{
  if (auto problem = pointer_problem(pointer); !problem.empty()) {
    throw util::Error(util::Errc::bad_input, problem + ": '" + std::string(pointer) + "'");
  }
  std::vector<std::string> tokens;
  PointerTokens walk(pointer);
  while (auto token = walk.next()) {
    tokens.emplace_back(*token);
  }
  return tokens;
}

void append_token(std::string& pointer, std::string_view token)
{
  pointer.push_back('/');
  for (char c : token) {
    if (c == '~') {
      pointer.append("~0");
    } else if (c == '/') {
      pointer.append("~1");
    } else {
      pointer.push_back(c);
    }
  }
}

std::string_view parent_pointer(std::string_view pointer)
{
  const auto slash = pointer.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : pointer.substr(0, slash);
}

std::optional<std::size_t> array_index(std::string_view token)
{
  if (token.empty() || (token.size() > 1 && token.front() == '0')) {
    return std::nullopt;
  }
  std::size_t value = 0;
  for (char c : token) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    const auto digit = static_cast<std::size_t>(c - '0');
    if (value > (std::numeric_limits<std::size_t>::max() - digit) / 10) {
      return std::nullopt;
    }
    value = value * 10 + digit;
  }
  return value;
}

Value* find_pointer(Value& document, std::string_view pointer)
{
  if (!pointer_problem(pointer).empty()) {
    return nullptr;
  }
  Value* at = &document;
  PointerTokens walk(pointer);
  while (auto token = walk.next()) {
    at = child_at(*at, *token);
    if (at == nullptr) {
      return nullptr;
    }
  }
  return at;
}

const Value* find_pointer(const Value& document, std::string_view pointer)
{
  return find_pointer(const_cast<Value&>(document), pointer);
}

} // namespace json
