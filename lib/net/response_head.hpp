#pragma once
// The head of an HTTP/1.1 response and the framing of a chunked body, as bytes: what every
// response the server writes starts with, made in one place.

#include "net/http_server.hpp"

#include <cstddef>
#include <string>

namespace net {

/// "HTTP/1.1 STATUS REASON\r\n".
std::string status_line(int status);
/// Appends the header lines of HEADERS to HEAD. A CR, LF or NUL in a value becomes a space and
/// a name that is not a token drops its field: a value that came from a client (a stored
/// Content-Type) can never add a header line of its own.
void append_headers(std::string& head, const Headers& headers);
/// "SIZE\r\n" in hex: the line before a chunk of SIZE bytes.
std::string chunk_header(std::size_t size);

} // namespace net
