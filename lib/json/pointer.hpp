#pragma once
// JSON Pointer (RFC 6901): "/a/b~1c/0" names a location in a JSON document. "~0" stands for
// "~" and "~1" for "/" inside a reference token; the empty pointer is the whole document.

#include "json/value_type.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace json {

/// Why a pointer is malformed, or empty when POINTER is a valid JSON Pointer: empty, or "/"
/// followed by tokens in which every "~" is followed by "0" or "1".
std::string pointer_problem(std::string_view pointer);

/// The unescaped reference tokens of POINTER; throws util::Error(bad_input) when malformed.
std::vector<std::string> split_pointer(std::string_view pointer);

/// Appends "/" and TOKEN, escaped ("~" as "~0", "/" as "~1"), to POINTER.
void append_token(std::string& pointer, std::string_view token);

/// POINTER without its last reference token ("/a/b" -> "/a"); "" for "" and "/a".
std::string_view parent_pointer(std::string_view pointer);

/// The array index TOKEN stands for under RFC 6901: "0", or digits without a leading zero;
/// empty for anything else (including "-" and numbers too large for size_t).
std::optional<std::size_t> array_index(std::string_view token);

/// Walks POINTER's tokens one at a time without allocating per token: next() unescapes the
/// next token into a buffer that stays valid until the following call. The pointer must be
/// valid (see pointer_problem).
class PointerTokens {
public:
  explicit PointerTokens(std::string_view pointer) : m_rest(pointer) {}

  /// The next token, or empty when there is none left.
  std::optional<std::string_view> next();
  /// Whether the token last returned was the final one.
  bool at_end() const noexcept { return m_rest.empty(); }
  /// The part of the pointer read so far ("/a/b" after two tokens).
  std::string_view consumed(std::string_view pointer) const
  {
    return pointer.substr(0, pointer.size() - m_rest.size());
  }

private:
  std::string_view m_rest;
  std::string m_token;
};

/// The member or element of CONTAINER that the reference TOKEN names, or null when it has none
/// (or is not an array or object): one step of a walk down a pointer. Inline, as patches take
/// one for every token they resolve.
inline Value* child_at(Value& container, std::string_view token)
{
  if (container.is_object()) {
    auto& object = container.get_ref<Value::object_t&>();
    const auto it = object.find(token);
    return it == object.end() ? nullptr : &it->second;
  }
  if (container.is_array()) {
    auto& array = container.get_ref<Value::array_t&>();
    const auto index = array_index(token);
    return index && *index < array.size() ? &array[*index] : nullptr;
  }
  return nullptr;
}

/// The value POINTER names in DOCUMENT, or null when there is none or POINTER is malformed.
const Value* find_pointer(const Value& document, std::string_view pointer);
Value* find_pointer(Value& document, std::string_view pointer);

} // namespace json
