#pragma once
// What -v prints of the HTTP exchange, the same for every network command.

#include "http/transport.hpp"

#include <string>
#include <string_view>

namespace cmd {

/// "sse: > METHOD URL NOTE", then each header as "sse: > Name: value", on stderr.
void trace_request(const http::Request& request, const std::string& note = {});
/// "sse: < HTTP STATUS REASON", then each header as "sse: < Name: value", on stderr.
void trace_response(int status, std::string_view reason, const http::Headers& headers);

} // namespace cmd
