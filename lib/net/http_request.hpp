#pragma once
// HTTP/1.1 requests as a server reads them (RFC 9112): an incremental reader that takes one
// request at a time off the front of a connection's input, bounded in head and body size.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace net {

struct HttpRequest {
  std::string method;
  std::string target;        ///< as sent: path and query
  std::string path;          ///< the target up to '?', still percent-encoded
  std::string query;         ///< after '?', without it
  int minor_version = 1;     ///< HTTP/1.x
  std::vector<std::pair<std::string, std::string>> headers; ///< names in lower case
  std::string body;

  /// The value of the first header named NAME (lower case), if any.
  const std::string* header(std::string_view name) const;
  /// Whether the connection stays open after the response (HTTP/1.1 default, Connection).
  bool keep_alive() const;
  /// Whether the client waits for "100 Continue" before it sends the body (HTTP/1.1 only).
  bool expects_continue() const;
  /// The first query parameter named NAME, percent-decoded ('+' is a space).
  std::optional<std::string> query_param(std::string_view name) const;
};

/// Whether TEXT is a token (RFC 9110 §5.6.2): a method, or a header field's name.
bool is_token(std::string_view text);

/// Decodes %XX escapes (and '+' as space when FORM); nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool form = false);

struct RequestLimits {
  std::size_t max_head = 16 * 1024;
  std::size_t max_body = 64 * 1024 * 1024;
};

enum class ReadStatus {
  incomplete,     ///< more bytes needed
  complete,       ///< a whole request was read
  bad_request,    ///< 400: not HTTP/1.x, a malformed line, header or chunk, a framing that
                  ///< is not one (RFC 9112 §6.3), a CR, LF or NUL in a header value
  head_too_large, ///< 431: the head, or the trailers, over the head limit
  body_too_large, ///< 413
  not_implemented ///< 501: a transfer coding before the final chunked
};

class RequestReader {
public:
  explicit RequestReader(RequestLimits limits) : m_limits(limits) {}

  /// Reads from INPUT, the unread bytes of a connection; sets CONSUMED to how many it used up
  /// (also when incomplete: those bytes are kept inside). A complete request lands in REQUEST
  /// and the reader is ready for the next one.
  ReadStatus read(std::string_view input, std::size_t& consumed, HttpRequest& request);
  /// Whether the head of the current request has been read and its body has not (REQUEST
  /// then holds the head).
  bool reading_body() const { return m_state != State::head; }

private:
  enum class State { head, body, chunk_size, chunk_data, chunk_data_end, trailers };

  ReadStatus read_head(std::string_view input, std::size_t& consumed, HttpRequest& request);
  ReadStatus parse_head(std::string_view head, HttpRequest& request);
  /// How the body of REQUEST, whose head is read, is framed (RFC 9112 §6).
  ReadStatus read_framing(HttpRequest& request);
  ReadStatus finish();

  RequestLimits m_limits;
  State m_state = State::head;
  std::size_t m_head_scanned = 0; ///< bytes of an unfinished head already searched for its end
  std::size_t m_remaining = 0;    ///< body or chunk bytes still to come
  std::size_t m_trailer_bytes = 0; ///< of the trailer section read so far
};

} // namespace net
