#include "net/http_request.hpp"

#include "net/query_string.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <charconv>

namespace net {
namespace {

constexpr std::size_t k_max_chunk_line = 1024;

bool is_token_char(char c)
{
  const auto u = static_cast<unsigned char>(c);
  if (u <= 32 || u >= 127) {
    return false;
  }
  return std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
}

/// Whether TEXT holds a CR, LF or NUL, which no field value may (RFC 9110 §5.5): one that
/// got in could be echoed into a response head as a header of its own.
bool has_line_break_or_nul(std::string_view text)
{
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

/// Whether TARGET has only visible characters (RFC 9112 §3.2; bytes over 127 are let through).
bool valid_target(std::string_view target)
{
  return !target.empty() && std::none_of(target.begin(), target.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 32 || u == 127;
  });
}

/// Every item of the comma-separated lists in VALUES, in order, lower case, empty ones left out
/// (RFC 9110 §5.6.1).
std::vector<std::string> list_items(const std::vector<std::string_view>& values)
{
  std::vector<std::string> items;
  for (std::string_view list : values) {
    while (true) {
      const auto comma = list.find(',');
      const auto item = util::trim_ows(list.substr(0, comma));
      if (!item.empty()) {
        items.push_back(util::to_lower(std::string(item)));
      }
      if (comma == std::string_view::npos) {
        break;
      }
      list.remove_prefix(comma + 1);
    }
  }
  return items;
}

/// Whether the comma-separated header value LIST names TOKEN (case-insensitive).
bool list_has(std::string_view list, std::string_view token)
{
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = util::trim_ows(list.substr(0, comma));
    if (util::to_lower(std::string(item)) == token) {
      return true;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    list.remove_prefix(comma + 1);
  }
  return false;
}

} // namespace

bool is_token(std::string_view text)
{
  return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char);
}

const std::string* HttpRequest::header(std::string_view name) const
{
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return &value;
    }
  }
  return nullptr;
}

bool HttpRequest::keep_alive() const
{
  const std::string* connection = header("connection");
  if (minor_version == 0) {
    return connection != nullptr && list_has(*connection, "keep-alive");
  }
  return connection == nullptr || !list_has(*connection, "close");
}

bool HttpRequest::expects_continue() const
{
  const std::string* expect = header("expect");
  return minor_version == 1 && expect != nullptr && list_has(*expect, "100-continue");
}

std::optional<std::string> HttpRequest::query_param(std::string_view name) const
{
  auto values = query_values(query, name);
  return values.empty() ? std::nullopt : std::move(values.front());
}

std::optional<std::string> percent_decode(std::string_view text, bool form)
{
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      const int high = util::hex_value(text[i + 1]);
      const int low = util::hex_value(text[i + 2]);
      if (high < 0 || low < 0) {
        return std::nullopt;
      }
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (form && c == '+') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

ReadStatus RequestReader::read(std::string_view input, std::size_t& consumed, HttpRequest& request)
{
  consumed = 0;
  if (m_state == State::head) {
    const ReadStatus status = read_head(input, consumed, request);
    if (status != ReadStatus::complete || m_state == State::head) {
      return status;
    }
  }
  // Moves up to m_remaining bytes of REST into the body; true once none remain.
  auto take_body = [&](std::string_view rest) {
    const std::size_t take = std::min(m_remaining, rest.size());
    request.body.append(rest.substr(0, take));
    consumed += take;
    m_remaining -= take;
    return m_remaining == 0;
  };
  while (true) {
    const std::string_view rest = input.substr(consumed);
    switch (m_state) {
    case State::head:
      return ReadStatus::complete;
    case State::body:
      return take_body(rest) ? finish() : ReadStatus::incomplete;
    case State::chunk_size:
    case State::chunk_data_end:
    case State::trailers: {
      const auto eol = rest.find('\n');
      if (eol == std::string_view::npos) {
        return rest.size() > k_max_chunk_line ? ReadStatus::bad_request : ReadStatus::incomplete;
      }
      if (eol > k_max_chunk_line) {
        return ReadStatus::bad_request; // the same verdict however the line arrived
      }
      std::string_view line = rest.substr(0, eol);
      if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
      }
      consumed += eol + 1;
      if (has_line_break_or_nul(line)) {
        return ReadStatus::bad_request; // a bare CR, or a NUL
      }
      if (m_state == State::chunk_data_end) {
        if (!line.empty()) {
          return ReadStatus::bad_request;
        }
        m_state = State::chunk_size;
      } else if (m_state == State::trailers) {
        if (line.empty()) {
          return finish();
        }
        // Trailers are dropped, but each line of them is held until it is whole: as many as
        // a head may have, no more.
        m_trailer_bytes += eol + 1;
        if (m_trailer_bytes > m_limits.max_head) {
          return ReadStatus::head_too_large;
        }
      } else {
        const std::string_view size_text = util::trim_ows(line.substr(0, line.find(';')));
        std::size_t size = 0;
        const auto [end, error] =
          std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
        if (error != std::errc() || end != size_text.data() + size_text.size() ||
            size_text.empty()) {
          return ReadStatus::bad_request;
        }
        if (size > m_limits.max_body - std::min(m_limits.max_body, request.body.size())) {
          return ReadStatus::body_too_large;
        }
        m_remaining = size;
        m_state = size == 0 ? State::trailers : State::chunk_data;
      }
      break;
    }
    case State::chunk_data:
      if (!take_body(rest)) {
        return ReadStatus::incomplete;
      }
      m_state = State::chunk_data_end;
      break;
    }
  }
}

ReadStatus RequestReader::read_head(std::string_view input, std::size_t& consumed,
                                    HttpRequest& request)
{
  // Empty lines before a request line are allowed (RFC 9112 §2.2).
  std::size_t start = 0;
  while (start < input.size() && (input[start] == '\r' || input[start] == '\n')) {
    ++start;
  }
  if (start == input.size()) {
    consumed = start;
    m_head_scanned = 0;
    return ReadStatus::incomplete;
  }
  const std::string_view head = input.substr(start);
  std::size_t search = m_head_scanned > 3 ? m_head_scanned - 3 : 0;
  std::size_t end = std::string_view::npos;
  std::size_t terminator = 0;
  while (true) {
    const auto lf = head.find('\n', search);
    if (lf == std::string_view::npos) {
      break;
    }
    if (lf + 1 < head.size() && head[lf + 1] == '\n') {
      end = lf + 1;
      terminator = 1;
      break;
    }
    if (lf + 2 < head.size() && head[lf + 1] == '\r' && head[lf + 2] == '\n') {
      end = lf + 1;
      terminator = 2;
      break;
    }
    search = lf + 1;
  }
  if (end == std::string_view::npos) {
    // Up to three bytes of the blank line that ends a head of the maximum size may be here.
    if (head.size() > m_limits.max_head + 3) {
      return ReadStatus::head_too_large;
    }
    m_head_scanned = head.size();
    consumed = start;
    return ReadStatus::incomplete;
  }
  if (end > m_limits.max_head) {
    return ReadStatus::head_too_large;
  }
  m_head_scanned = 0;
  consumed = start + end + terminator;
  request = HttpRequest();
  return parse_head(head.substr(0, end), request);
}

ReadStatus RequestReader::parse_head(std::string_view head, HttpRequest& request)
{
  auto next_line = [&head]() {
    const auto lf = head.find('\n');
    std::string_view line = head.substr(0, lf);
    head.remove_prefix(lf == std::string_view::npos ? head.size() : lf + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    return line;
  };

  const std::string_view request_line = next_line();
  const auto space1 = request_line.find(' ');
  const auto space2 = request_line.rfind(' ');
  if (space1 == std::string_view::npos || space1 == space2 || space1 == 0) {
    return ReadStatus::bad_request;
  }
  const std::string_view method = request_line.substr(0, space1);
  const std::string_view target = request_line.substr(space1 + 1, space2 - space1 - 1);
  const std::string_view version = request_line.substr(space2 + 1);
  if (!std::all_of(method.begin(), method.end(), is_token_char) || !valid_target(target)) {
    return ReadStatus::bad_request;
  }
  if (version == "HTTP/1.1") {
    request.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    request.minor_version = 0;
  } else {
    return ReadStatus::bad_request;
  }
  request.method = method;
  request.target = target;
  std::string_view path = target;
  // An absolute-form target (a request to a proxy) carries its own scheme and authority.
  if (const auto scheme = path.find("://"); path.front() != '/' && scheme != std::string_view::npos) {
    const auto end = path.find_first_of("/?#", scheme + 3);
    path = end == std::string_view::npos ? std::string_view() : path.substr(end);
  }
  const auto question = path.find('?');
  request.path = path.substr(0, question);
  if (request.path.empty()) {
    request.path = "/";
  }
  if (question != std::string_view::npos) {
    request.query = path.substr(question + 1);
  }

  while (!head.empty()) {
    const std::string_view line = next_line();
    if (line.empty()) {
      break;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      return ReadStatus::bad_request; // obsolete line folding (RFC 9112 §5.2)
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return ReadStatus::bad_request;
    }
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_token_char)) {
      return ReadStatus::bad_request;
    }
    const std::string_view value = line.substr(colon + 1);
    if (has_line_break_or_nul(value)) {
      return ReadStatus::bad_request;
    }
    request.headers.emplace_back(util::to_lower(std::string(name)), std::string(util::trim_ows(value)));
  }
  return read_framing(request);
}

ReadStatus RequestReader::read_framing(HttpRequest& request)
{
  std::vector<std::string_view> codings_lines;
  for (const auto& [key, value] : request.headers) {
    if (key == "transfer-encoding") {
      codings_lines.push_back(value);
    }
  }
  const std::string* content_length = request.header("content-length");
  if (!codings_lines.empty()) {
    // RFC 9112 §6.1: in HTTP/1.0 a Transfer-Encoding means the framing is faulty. §6.3: both
    // framings at once is how request smuggling starts, and a body whose last coding is not
    // chunked has no length that can be known. §7: chunked is applied once.
    const std::vector<std::string> codings = list_items(codings_lines);
    if (request.minor_version == 0 || content_length != nullptr || codings.empty() ||
        codings.back() != "chunked" ||
        std::count(codings.begin(), codings.end(), "chunked") != 1) {
      return ReadStatus::bad_request;
    }
    if (codings.size() > 1) {
      return ReadStatus::not_implemented; // gzip and the others are not decoded here
    }
    m_state = State::chunk_size;
    m_trailer_bytes = 0;
    return ReadStatus::complete;
  }
  if (content_length != nullptr) {
    std::size_t length = 0;
    const auto& text = *content_length;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
    if (error == std::errc::result_out_of_range) {
      return ReadStatus::body_too_large;
    }
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
      return ReadStatus::bad_request;
    }
    for (const auto& [key, value] : request.headers) {
      if (key == "content-length" && value != text) {
        return ReadStatus::bad_request;
      }
    }
    if (length > m_limits.max_body) {
      return ReadStatus::body_too_large;
    }
    if (length != 0) {
      request.body.reserve(length);
      m_remaining = length;
      m_state = State::body;
      return ReadStatus::complete;
    }
  }
  return ReadStatus::complete;
}

ReadStatus RequestReader::finish()
{
  m_state = State::head;
  m_remaining = 0;
  m_trailer_bytes = 0;
  return ReadStatus::complete;
}

} // namespace net
