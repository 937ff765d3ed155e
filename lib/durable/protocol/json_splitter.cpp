#include "durable/protocol/json_splitter.hpp"

#include "util/error.hpp"

#include "json/value.hpp"

namespace durable {
namespace {

bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

[[noreturn]] void malformed(const std::string& what)
{
  throw util::Error(util::Errc::bad_input, "the server sent a malformed JSON body: " + what);
}

} // namespace

void JsonArraySplitter::reset()
{
  m_state = State::before;
  m_element.clear();
  m_depth = 0;
  m_string = {};
}

void JsonArraySplitter::end_element(const std::function<void(std::string_view)>& on_message)
{
  while (!m_element.empty() && is_space(m_element.back())) {
    m_element.pop_back();
  }
  if (m_element.empty()) {
    malformed("an empty array element");
  }
  try {
    json::check_text(m_element);
  } catch (const util::Error& e) {
    malformed("an element is not valid JSON: " + std::string(e.what()) + ": " +
              m_element.substr(0, 80));
  }
  on_message(m_element);
  m_element.clear();
}

void JsonArraySplitter::feed(std::string_view bytes,
                             const std::function<void(std::string_view)>& on_message)
{
  std::size_t i = 0;
  while (i < bytes.size()) {
    const char c = bytes[i];
    switch (m_state) {
    case State::before:
      if (c == '[') {
        m_state = State::first;
      } else if (!is_space(c)) {
        malformed("expected an array");
      }
      ++i;
      break;
    case State::first:
      if (c == ']') {
        m_state = State::done;
        ++i;
        break;
      }
      if (is_space(c)) {
        ++i;
        break;
      }
      m_state = State::element;
      break;
    case State::done:
      if (!is_space(c)) {
        malformed("data after the array");
      }
      ++i;
      break;
    case State::element: {
      // Scan a run of the element at once; stop at a top-level ',' or ']'.
      const std::size_t start = i;
      bool ended = false;
      for (; i < bytes.size(); ++i) {
        const char d = bytes[i];
        if (m_string.consumes(d)) {
          continue;
        }
        if (d == '[' || d == '{') {
          ++m_depth;
        } else if (d == ']' || d == '}') {
          if (m_depth == 0) {
            if (d == '}') {
              malformed("unbalanced '}'");
            }
            ended = true;
            break;
          }
          --m_depth;
        } else if (d == ',' && m_depth == 0) {
          ended = true;
          break;
        }
      }
      if (m_element.empty()) {
        // skip leading whitespace
        std::size_t first = start;
        while (first < i && is_space(bytes[first])) {
          ++first;
        }
        m_element.append(bytes.substr(first, i - first));
      } else {
        m_element.append(bytes.substr(start, i - start));
      }
      if (m_element.size() > m_max && !m_string.in_string) {
        // Whitespace after a token is not part of the message's size (and never needed).
        while (!m_element.empty() && is_space(m_element.back())) {
          m_element.pop_back();
        }
      }
      if (m_element.size() > m_max) {
        throw util::Error(util::Errc::bad_input,
                          "a message is larger than the maximum of " + std::to_string(m_max)
                            + " bytes", {}, {util::Setting::max_event_size});
      }
      if (ended) {
        end_element(on_message);
        m_state = bytes[i] == ',' ? State::element : State::done;
        ++i;
      }
      break;
    }
    }
  }
}

void JsonArraySplitter::finish()
{
  if (m_state != State::done) {
    malformed(m_state == State::before ? "an empty body, not an array" : "the array is cut short");
  }
}

} // namespace durable
