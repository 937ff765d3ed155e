#include "http/describe.hpp"

namespace http {

std::string status_text(int status, std::string_view reason)
{
  std::string text = "HTTP " + std::to_string(status);
  if (!reason.empty()) {
    text += " ";
    text += reason;
  }
  return text;
}

std::string excerpt(std::string_view body)
{
  std::string out;
  for (char c : body.substr(0, k_excerpt_length)) {
    const bool space = static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == ' ';
    if (space) {
      if (!out.empty() && out.back() != ' ') {
        out.push_back(' ');
      }
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  if (body.size() > k_excerpt_length) {
    out += "...";
  }
  return out;
}

std::string describe_duration(std::chrono::milliseconds duration)
{
  if (duration.count() % 1000 == 0) {
    return std::to_string(duration.count() / 1000) + "s";
  }
  return std::to_string(duration.count()) + "ms";
}

} // namespace http
