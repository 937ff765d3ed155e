#pragma once
// Splits a JSON array that arrives in pieces into its elements, so a reader can hand each
// message on as soon as it is complete and hold at most one message in memory, however large
// the response. Elements are checked to be valid JSON.

#include "json/string_scan.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace durable {

class JsonArraySplitter {
public:
  /// MAX_MESSAGE: the largest element accepted, in bytes.
  explicit JsonArraySplitter(std::size_t max_message) : m_max(max_message) {}

  /// Feeds the next bytes; ON_MESSAGE gets each element completed by them, without
  /// surrounding whitespace. Throws util::Error(bad_input) saying what is wrong.
  void feed(std::string_view bytes, const std::function<void(std::string_view)>& on_message);
  /// The body ended: throws util::Error(bad_input) unless a whole array was read.
  void finish();
  /// Ready for a new body.
  void reset();

private:
  enum class State { before, first, element, done };
  void end_element(const std::function<void(std::string_view)>& on_message);

  std::size_t m_max;
  State m_state = State::before;
  std::string m_element;
  int m_depth = 0;
  json::StringScan m_string;
};

} // namespace durable
