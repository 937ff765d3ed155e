#include "net/response_head.hpp"

#include "net/http_request.hpp"

#include <cstdio>

namespace net {

std::string chunk_header(std::size_t size)
{
  char text[24];
  const int length = std::snprintf(text, sizeof text, "%zx\r\n", size);
  return std::string(text, static_cast<std::size_t>(length));
}

std::string status_line(int status)
{
  std::string line = "HTTP/1.1 " + std::to_string(status) + " ";
  line += reason_phrase(status);
  line += "\r\n";
  return line;
}

void append_headers(std::string& head, const Headers& headers)
{
  for (const auto& [name, value] : headers) {
    if (!is_token(name)) {
      continue;
    }
    head += name;
    head += ": ";
    const std::size_t start = head.size();
    head += value;
    for (std::size_t i = start; i < head.size(); ++i) {
      if (head[i] == '\r' || head[i] == '\n' || head[i] == '\0') {
        head[i] = ' ';
      }
    }
    head += "\r\n";
  }
}

std::shared_ptr<const SharedChunk> make_shared_chunk(std::string bytes)
{
  auto chunk = std::make_shared<SharedChunk>();
  chunk->framed = chunk_header(bytes.size());
  chunk->framed += bytes;
  chunk->framed += "\r\n";
  chunk->plain = std::move(bytes);
  return chunk;
}

std::string_view reason_phrase(int status)
{
  switch (status) {
  case 200: return "OK";
  case 201: return "Created";
  case 204: return "No Content";
  case 301: return "Moved Permanently";
  case 302: return "Found";
  case 304: return "Not Modified";
  case 307: return "Temporary Redirect";
  case 308: return "Permanent Redirect";
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 408: return "Request Timeout";
  case 409: return "Conflict";
  case 410: return "Gone";
  case 411: return "Length Required";
  case 412: return "Precondition Failed";
  case 413: return "Content Too Large";
  case 415: return "Unsupported Media Type";
  case 422: return "Unprocessable Content";
  case 429: return "Too Many Requests";
  case 431: return "Request Header Fields Too Large";
  case 500: return "Internal Server Error";
  case 501: return "Not Implemented";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  case 504: return "Gateway Timeout";
  case 507: return "Insufficient Storage";
  default: return "Status";
  }
}

} // namespace net
