// Connection: reading a client's requests and answering them in order, and the output
// queue written to its socket once per loop round.
#include "net/http_server.hpp"
#include "net/response_head.hpp"

#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace net {
namespace {

constexpr std::uint32_t k_read_events = EPOLLIN | EPOLLRDHUP;
constexpr std::size_t k_read_size = 64 * 1024;
constexpr std::size_t k_coalesce_limit = 16 * 1024;
constexpr std::size_t k_max_iov = 64;

/// One buffer shared by every connection to read through, so an idle connection holds only
/// the bytes it was sent, not a read buffer of its own.
std::array<char, k_read_size>& scratch()
{
  static thread_local std::array<char, k_read_size> buffer;
  return buffer;
}

/// The status that answers a request the reader refused.
int error_status(ReadStatus status)
{
  switch (status) {
  case ReadStatus::head_too_large:
    return 431;
  case ReadStatus::body_too_large:
    return 413;
  case ReadStatus::not_implemented:
    return 501;
  default:
    return 400;
  }
}

} // namespace

Connection::Connection(HttpServer& server, int fd, std::string peer)
  : m_server(server), m_fd(fd), m_peer(std::move(peer)), m_reader(server.m_options.limits),
    m_interest(k_read_events)
{
}

Connection::~Connection()
{
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

void Connection::on_io(std::uint32_t events)
{
  const auto self = shared_from_this();
  // A reset, or both directions shut: nothing more can be read or written. (Reported whatever
  // the interest, so it must not be left to a read that a paused connection skips.)
  if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
    close_now();
    return;
  }
  if ((events & (EPOLLIN | EPOLLRDHUP)) != 0) {
    read_input();
  }
  if (m_fd >= 0 && (events & EPOLLOUT) != 0) {
    flush();
  }
}

void Connection::read_input()
{
  if (m_lingering) {
    discard_input();
    return;
  }
  if (!wants_input()) {
    update_interest();
    return;
  }
  // A budget per round: a client that sends without pause is read a piece at a time, its
  // requests answered in between, and the other connections get their turn.
  std::size_t budget = std::max<std::size_t>(m_server.m_options.read_budget, 1);
  while (m_fd >= 0 && budget > 0) {
    const ssize_t got = ::read(m_fd, scratch().data(), std::min(scratch().size(), budget));
    if (got > 0) {
      m_input.append(scratch().data(), static_cast<std::size_t>(got));
      budget -= static_cast<std::size_t>(got);
      continue;
    }
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    }
    if (got < 0 || m_streaming) {
      // A reset; or an event-stream client that went away (it never half-closes while it
      // still wants the stream).
      close_now();
      return;
    }
    // The client has sent all it will: what it asked for is still answered, then the
    // connection closes.
    m_peer_closed = true;
    update_interest();
    break;
  }
  if (!m_busy) {
    serve_pending();
  } else if (m_input.size() - m_input_pos > m_server.m_options.limits.max_head + k_read_size) {
    // A client that sends without waiting for the answer to what it sent before.
    close_now();
  }
}

void Connection::serve_pending()
{
  m_serve_scheduled = false;
  while (open() && !m_busy && !m_closing) {
    if (m_queued > m_server.m_options.max_unsent_output) {
      // The client is not reading its answers: read no more of its requests until it does.
      m_paused = true;
      update_interest();
      return;
    }
    std::size_t consumed = 0;
    const std::string_view unread = std::string_view(m_input).substr(m_input_pos);
    const ReadStatus status = m_reader.read(unread, consumed, m_request);
    m_input_pos += consumed;
    if (m_input_pos == m_input.size()) {
      m_input = std::string(); // its capacity too: a streaming client holds nothing
      m_input_pos = 0;
    } else if (m_input_pos > k_read_size) {
      m_input.erase(0, m_input_pos);
      m_input_pos = 0;
    }
    if (status == ReadStatus::incomplete) {
      if (m_peer_closed) {
        close_after_flush(); // what is left is a request cut off
      } else if (m_reader.reading_body() && !m_continue_sent && m_request.expects_continue()) {
        // The limits passed, the client may send the body (RFC 9110 §10.1.1).
        m_continue_sent = true;
        queue("HTTP/1.1 100 Continue\r\n\r\n");
      }
      update_interest();
      return;
    }
    if (status != ReadStatus::complete) {
      reply_error(error_status(status));
      return;
    }
    m_continue_sent = false;
    m_server.m_loop.cancel(m_request_timer);
    m_request_timer = 0;
    m_busy = true;
    m_head_only = m_request.method == "HEAD";
    m_http11 = m_request.minor_version == 1;
    // HTTP/1.0 connections close after one response: simpler than their keep-alive dialect.
    m_keep_alive = m_request.minor_version == 1 && m_request.keep_alive();
    const HttpRequest request = std::move(m_request);
    m_request = HttpRequest();
    m_server.m_handler(request, shared_from_this());
  }
}

void Connection::schedule_serve()
{
  if (m_serve_scheduled) {
    return;
  }
  m_serve_scheduled = true;
  // At the end of the round: a handler that answers at once must not recurse into the next
  // request.
  std::weak_ptr<Connection> weak = weak_from_this();
  m_server.m_loop.at_end_of_round([weak]() {
    if (const auto self = weak.lock()) {
      self->serve_pending();
    }
  });
}

void Connection::reply_error(int status)
{
  m_error_sent = true;
  m_busy = true;
  m_head_only = false;
  m_keep_alive = false;
  const std::string body = std::string(reason_phrase(status)) + "\n";
  respond(status, {{"Content-Type", "text/plain; charset=utf-8"}}, body);
}

void Connection::respond(int status, const Headers& headers, std::string_view body)
{
  if (!open() || !m_busy || m_streaming) {
    return;
  }
  std::string head = status_line(status);
  append_headers(head, headers);
  if (status != 204 && status != 304) {
    head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  if (!m_keep_alive) {
    head += "Connection: close\r\n";
  }
  head += "\r\n";
  queue(head);
  if (!m_head_only && status != 204 && status != 304) {
    queue(body);
  }
  finish_response();
}

void Connection::start_stream(int status, const Headers& headers)
{
  if (!open() || !m_busy || m_streaming) {
    return;
  }
  m_chunked = m_http11;
  std::string head = status_line(status);
  append_headers(head, headers);
  if (m_head_only) {
    head += "\r\n";
    queue(head);
    finish_response();
    return;
  }
  if (m_chunked) {
    head += "Transfer-Encoding: chunked\r\n";
  } else {
    m_keep_alive = false;
    head += "Connection: close\r\n";
  }
  head += "\r\n";
  queue(head);
  m_streaming = true;
}

void Connection::write(std::string_view bytes)
{
  if (!m_streaming || bytes.empty()) {
    return;
  }
  if (m_chunked) {
    queue(chunk_header(bytes.size()));
    queue(bytes);
    queue("\r\n");
  } else {
    queue(bytes);
  }
}

void Connection::write(const std::shared_ptr<const SharedChunk>& chunk)
{
  if (!m_streaming || chunk->plain.empty()) {
    return;
  }
  Piece piece;
  piece.shared = chunk;
  piece.framed = m_chunked;
  m_queued += piece.bytes().size();
  m_queue.push_back(std::move(piece));
  mark_dirty();
}

void Connection::write_owned(std::string bytes)
{
  if (!m_streaming || bytes.empty()) {
    return;
  }
  if (m_chunked) {
    queue(chunk_header(bytes.size()));
    queue_owned(std::move(bytes));
    queue("\r\n");
  } else {
    queue_owned(std::move(bytes));
  }
}

void Connection::when_drained(std::size_t low_water, std::function<void()> callback)
{
  if (!open()) {
    return;
  }
  m_drained_low_water = low_water;
  m_on_drained = std::move(callback);
  if (m_queued <= low_water) {
    mark_dirty(); // the next flush runs it
  }
}

void Connection::notify_drained()
{
  if (m_on_drained && open() && m_queued <= m_drained_low_water) {
    auto callback = std::move(m_on_drained);
    m_on_drained = nullptr;
    callback();
  }
}

void Connection::end_stream()
{
  if (!m_streaming) {
    return;
  }
  m_streaming = false;
  if (m_chunked) {
    queue("0\r\n\r\n");
  }
  finish_response();
}

void Connection::close_after_flush()
{
  if (!open()) {
    return;
  }
  m_streaming = false;
  m_closing = true;
  mark_dirty();
}

void Connection::abort()
{
  close_now();
}

void Connection::queue(std::string_view bytes)
{
  if (!open() || bytes.empty()) {
    return;
  }
  // Small writes to one connection share a buffer, so a round writes them with one iovec.
  if (!m_queue.empty() && !m_queue.back().shared &&
      m_queue.back().own.size() + bytes.size() <= k_coalesce_limit) {
    m_queue.back().own += bytes;
  } else {
    Piece piece;
    piece.own = bytes;
    m_queue.push_back(std::move(piece));
  }
  m_queued += bytes.size();
  mark_dirty();
}

void Connection::queue_owned(std::string bytes)
{
  if (bytes.size() <= k_coalesce_limit) {
    queue(bytes);
    return;
  }
  if (!open()) {
    return;
  }
  m_queued += bytes.size();
  Piece piece;
  piece.own = std::move(bytes);
  m_queue.push_back(std::move(piece));
  mark_dirty();
}

void Connection::mark_dirty()
{
  if (!m_dirty) {
    m_dirty = true;
    m_server.schedule_flush(*this);
  }
}

void Connection::flush()
{
  m_dirty = false;
  if (m_lingering) {
    return;
  }
  while (open() && !m_queue.empty()) {
    std::array<iovec, k_max_iov> iov{};
    std::size_t count = 0;
    for (const Piece& piece : m_queue) {
      if (count == iov.size()) {
        break;
      }
      const std::string_view bytes = piece.bytes().substr(piece.offset);
      iov[count].iov_base = const_cast<char*>(bytes.data());
      iov[count].iov_len = bytes.size();
      ++count;
    }
    const ssize_t wrote = ::writev(m_fd, iov.data(), static_cast<int>(count));
    if (wrote < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        m_want_write = true;
        break;
      }
      close_now();
      return;
    }
    auto left = static_cast<std::size_t>(wrote);
    m_queued -= left;
    while (left > 0) {
      Piece& front = m_queue.front();
      const std::size_t remaining = front.bytes().size() - front.offset;
      if (left < remaining) {
        front.offset += left;
        break;
      }
      left -= remaining;
      m_queue.pop_front();
    }
  }
  if (!open()) {
    return;
  }
  if (m_queue.empty()) {
    m_want_write = false;
  }
  if (m_paused && m_queued <= m_server.m_options.max_unsent_output) {
    m_paused = false;
    schedule_serve();
  }
  update_interest();
  if (m_closing && m_queue.empty()) {
    ::shutdown(m_fd, SHUT_WR);
    // Closing with input unread would answer it with a reset, which can destroy the answer
    // before the client reads it: read and drop the rest first, for a bounded time.
    int unread = 0;
    if (!m_peer_closed &&
        (m_error_sent || m_input_pos < m_input.size() || m_reader.reading_body() ||
         (::ioctl(m_fd, FIONREAD, &unread) == 0 && unread > 0))) {
      start_linger();
    } else {
      close_now();
    }
  }
  notify_drained();
}

void Connection::arm_request_timer()
{
  m_server.m_loop.cancel(m_request_timer);
  std::weak_ptr<Connection> weak = weak_from_this();
  m_request_timer = m_server.m_loop.after(m_server.m_options.request_timeout, [weak]() {
    const auto self = weak.lock();
    if (!self || self->m_busy) {
      return;
    }
    self->m_request_timer = 0;
    if (self->m_queued > 0) {
      // A response still being written is not idleness: wait again from now.
      self->arm_request_timer();
      return;
    }
    self->close_now();
  });
}

void Connection::finish_response()
{
  m_busy = false;
  m_streaming = false;
  if (!m_keep_alive) {
    close_after_flush();
    return;
  }
  arm_request_timer();
  if (m_input.size() > m_input_pos || m_peer_closed) {
    schedule_serve();
  }
}

bool Connection::wants_input() const
{
  if (m_peer_closed) {
    return false;
  }
  // A stream is watched to the end, so that a client that leaves is noticed.
  return m_lingering || m_streaming || m_queued <= m_server.m_options.max_unsent_output;
}

void Connection::update_interest()
{
  if (m_fd < 0) {
    return;
  }
  const std::uint32_t events = (wants_input() ? k_read_events : 0U) | (m_want_write ? EPOLLOUT : 0U);
  if (events != m_interest) {
    m_interest = events;
    m_server.m_loop.modify(m_fd, events);
  }
}

void Connection::start_linger()
{
  m_lingering = true;
  m_lingered = 0;
  m_input = std::string();
  m_input_pos = 0;
  m_server.m_loop.cancel(m_request_timer);
  std::weak_ptr<Connection> weak = weak_from_this();
  m_request_timer = m_server.m_loop.after(m_server.m_options.linger_timeout, [weak]() {
    if (const auto self = weak.lock()) {
      self->m_request_timer = 0;
      self->close_now();
    }
  });
  update_interest();
  notify_closed(); // for the handlers the connection is over
  discard_input();
}

void Connection::discard_input()
{
  std::size_t budget = std::max<std::size_t>(m_server.m_options.read_budget, 1);
  while (m_fd >= 0 && budget > 0) {
    const ssize_t got = ::read(m_fd, scratch().data(), std::min(scratch().size(), budget));
    if (got > 0) {
      m_lingered += static_cast<std::size_t>(got);
      budget -= static_cast<std::size_t>(got);
      if (m_lingered > m_server.m_options.linger_bytes) {
        close_now();
      }
      continue;
    }
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    }
    close_now(); // the client's end: it has read the answer, or never will
  }
}

void Connection::notify_closed()
{
  if (auto callback = std::move(m_on_close)) {
    m_on_close = nullptr;
    callback();
  }
}

void Connection::close_now()
{
  if (m_fd < 0) {
    return;
  }
  const auto self = shared_from_this();
  m_server.m_loop.remove(m_fd);
  m_server.m_loop.cancel(m_request_timer);
  ::close(m_fd);
  const int fd = m_fd;
  m_fd = -1;
  m_lingering = false;
  m_queue.clear();
  m_queued = 0;
  m_streaming = false;
  m_on_drained = nullptr; // it may hold what holds this connection
  m_server.forget(fd);
  notify_closed();
}

} // namespace net
