#include "trace.hpp"

#include <iostream>

namespace cmd {

void trace_request(const http::Request& request, const std::string& note)
{
  std::cerr << "sse: > " << request.method << ' ' << request.url.str()
            << (note.empty() ? "" : " " + note) << '\n';
  for (const auto& [name, value] : request.headers) {
    std::cerr << "sse: > " << name << ": " << value << '\n';
  }
}

void trace_response(int status, std::string_view reason, const http::Headers& headers)
{
  std::cerr << "sse: < HTTP " << status << ' ' << reason << '\n';
  for (const auto& [name, value] : headers) {
    std::cerr << "sse: < " << name << ": " << value << '\n';
  }
}

} // namespace cmd
