#pragma once
// An HTTP/1.1 server on an EventLoop: keep-alive, pipelined requests answered in order,
// whole and streamed (chunked) responses, output queued per connection and written once per
// loop round, so a broadcast to a thousand clients costs a thousand writev calls, not more.

#include "net/event_loop.hpp"
#include "net/http_request.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace net {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// Bytes written to many connections: stored once, with the chunked framing made once.
struct SharedChunk {
  std::string plain;
  std::string framed; ///< "SIZE\r\n" plain "\r\n"
};
std::shared_ptr<const SharedChunk> make_shared_chunk(std::string bytes);

/// The reason phrase of an HTTP status ("Not Found").
std::string_view reason_phrase(int status);

class HttpServer;

/// One client connection, and the response to its current request.
class Connection : public std::enable_shared_from_this<Connection> {
public:
  Connection(HttpServer& server, int fd, std::string peer);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Answers the current request whole. A HEAD request gets the head only.
  void respond(int status, const Headers& headers, std::string_view body);
  /// Starts a response whose body follows in pieces: chunked for HTTP/1.1, ended by closing
  /// the connection for HTTP/1.0.
  void start_stream(int status, const Headers& headers);
  /// Queues bytes of a streamed body; they are written at the end of the loop's round.
  void write(std::string_view bytes);
  void write(const std::shared_ptr<const SharedChunk>& chunk);
  /// As write(), taking the bytes over instead of copying them (a big piece of a body).
  void write_owned(std::string bytes);
  /// Runs CALLBACK once, when writing to the socket has left at most LOW_WATER bytes queued
  /// (soon, if that is so already): a producer of a big body writes a piece, then waits here.
  /// Dropped, not run, when the connection closes; one callback at a time (a new one replaces it).
  void when_drained(std::size_t low_water, std::function<void()> callback);
  /// Ends a streamed body cleanly; the connection then serves its next request, if any.
  void end_stream();
  /// Ends the connection once what is queued has been written.
  void close_after_flush();
  /// Closes the connection now, dropping what is queued: a client sees a broken stream.
  void abort();
  /// Writes what is queued now, instead of at the end of the round.
  void flush_now() { flush(); }

  /// Whether the connection can still be answered (not closed, not only draining its input).
  bool open() const { return m_fd >= 0 && !m_lingering; }
  bool streaming() const { return m_streaming; }
  std::size_t queued_bytes() const { return m_queued; }
  const std::string& peer() const { return m_peer; }
  /// Runs once when the connection closes, for whatever reason.
  void on_close(std::function<void()> callback) { m_on_close = std::move(callback); }

private:
  friend class HttpServer;
  struct Piece {
    std::shared_ptr<const SharedChunk> shared;
    bool framed = false; ///< which form of SHARED: that of the response it was written to
    std::string own;
    std::size_t offset = 0;
    std::string_view bytes() const
    {
      if (shared) {
        return framed ? std::string_view(shared->framed) : std::string_view(shared->plain);
      }
      return own;
    }
  };

  void on_io(std::uint32_t events);
  void read_input();
  void serve_pending();
  void schedule_serve();
  void reply_error(int status);
  void queue(std::string_view bytes);
  void queue_owned(std::string bytes);
  void notify_drained();
  void mark_dirty();
  void flush();
  void arm_request_timer();
  void finish_response();
  /// Whether to watch for input now: not while the client leaves unread more than the bound.
  bool wants_input() const;
  void update_interest();
  void start_linger();
  void discard_input();
  void notify_closed();
  void close_now();

  HttpServer& m_server;
  int m_fd;
  std::string m_peer;
  std::string m_input;
  std::size_t m_input_pos = 0;
  RequestReader m_reader;
  HttpRequest m_request;
  bool m_busy = false;         ///< a request is being answered
  bool m_head_only = false;    ///< the request is HEAD
  bool m_keep_alive = true;
  bool m_http11 = true;
  bool m_chunked = false;
  bool m_streaming = false;
  bool m_closing = false;      ///< close once the queue is written
  bool m_dirty = false;
  bool m_want_write = false;   ///< EPOLLOUT is wanted
  bool m_peer_closed = false;  ///< the client sent all it will (EOF)
  bool m_paused = false;       ///< requests wait until the unsent output is under the bound
  bool m_serve_scheduled = false;
  bool m_continue_sent = false; ///< "100 Continue" went out for the current request
  bool m_error_sent = false;   ///< an error answer: the rest of the request is unread
  bool m_lingering = false;    ///< written and shut down; dropping input until the client ends
  std::size_t m_lingered = 0;  ///< bytes dropped while lingering
  std::uint32_t m_interest;    ///< the events the loop watches for
  std::deque<Piece> m_queue;
  std::size_t m_queued = 0;
  EventLoop::TimerId m_request_timer = 0;
  std::function<void()> m_on_close;
  std::function<void()> m_on_drained;
  std::size_t m_drained_low_water = 0;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  RequestLimits limits;
  /// How long a connection may wait for (the rest of) a request before it is closed.
  std::chrono::milliseconds request_timeout{60'000};
  /// Unsent output over which a connection's next requests are not read (its client is not
  /// reading what it asked for).
  std::size_t max_unsent_output = 1024 * 1024;
  /// Bytes read from one connection per loop round, so that one client cannot starve others.
  std::size_t read_budget = 64 * 1024;
  /// After an error answer, how long and how much of the rest of the request is read and
  /// dropped, so that closing with it unread does not reset the connection and the answer.
  std::chrono::milliseconds linger_timeout{5'000};
  std::size_t linger_bytes = 64 * 1024 * 1024;
};

class HttpServer {
public:
  /// Called for each whole request; it must answer through the connection, now or later.
  using Handler = std::function<void(const HttpRequest&, const std::shared_ptr<Connection>&)>;

  HttpServer(EventLoop& loop, ServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and listens; throws util::Error naming the address when it cannot.
  void listen();
  /// The bound port (the chosen one after --port 0).
  std::uint16_t port() const { return m_port; }
  const std::string& host() const { return m_options.host; }
  /// Stops taking connections; those open go on.
  void stop_accepting();
  /// Closes connections that are waiting for a request (not those being answered).
  void close_idle();
  /// A graceful end: stops accepting, then closes each connection once it waits for a request,
  /// and calls DONE when none is left or LIMIT has passed.
  void drain(std::chrono::milliseconds limit, std::function<void()> done);
  std::size_t connection_count() const { return m_connections.size(); }
  EventLoop& loop() { return m_loop; }

private:
  friend class Connection;
  void accept_ready();
  void schedule_flush(Connection& connection);
  void flush_dirty();
  void forget(int fd);

  EventLoop& m_loop;
  ServerOptions m_options;
  Handler m_handler;
  int m_listen_fd = -1;
  std::uint16_t m_port = 0;
  std::unordered_map<int, std::shared_ptr<Connection>> m_connections;
  std::vector<std::shared_ptr<Connection>> m_dirty;
  bool m_flush_scheduled = false;
};

} // namespace net
