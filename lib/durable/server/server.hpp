#pragma once
// The Durable Streams protocol over HTTP (DIGEST.md): streams under a path prefix, created,
// appended to, closed, deleted, read in catch-up, long-poll and SSE modes, with idempotent
// producers, Stream-Seq, TTL and expiry, ETags, cursors and forks. Metadata is held in memory
// and made durable through a store::Store; each stream has at most one store write in flight,
// and the requests that arrive meanwhile go together in the next one (one fsync for all).

#include "net/access.hpp"
#include "net/event_loop.hpp"
#include "net/http_server.hpp"
#include "store/store.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace durable {

struct ServerOptions {
  std::string prefix = "/v1/stream/";
  std::chrono::milliseconds long_poll_timeout{30'000};
  /// When not empty, every request needs `Authorization: Bearer TOKEN`.
  std::string token;
  /// The Host names answered and the pages let in (none by default).
  net::AccessPolicy access;
  /// The scheme and authority of the server ("http://127.0.0.1:4437"), for Location.
  std::string base_url;
  /// Receives one line per request (for -v); may be empty.
  std::function<void(const std::string&)> log;
};

class Server {
public:
  Server(net::EventLoop& loop, store::Store& store, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Takes the streams the store holds, and refuses those it found damaged (and their forks)
  /// with 500 until they are repaired.
  void load();
  void handle(const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection);
  /// Ends live readers (long-polls get their timeout answer, SSE streams end).
  void shutdown();
  void set_base_url(std::string url) { m_options.base_url = std::move(url); }

  struct Stream;
  struct Write;
  struct Waiter;
  class SseReader;
  class CatchUp;

private:
  enum class Found { ok, missing, gone, damaged };

  /// The headers of every response on CONNECTION (the one being handled when null): the
  /// CORS headers of its request's origin among them.
  net::Headers base_headers(const net::Connection* connection = nullptr) const;
  /// Answers CONNECTION's request: base_headers, then EXTRA, a Content-Type when TYPE is set.
  void reply(const std::shared_ptr<net::Connection>& connection, int status,
             net::Headers extra = {}, std::string_view body = {},
             const char* type = nullptr) const;
  /// Answers with STATUS and WHY as a plain-text body.
  void fail(const std::shared_ptr<net::Connection>& connection, int status,
            const std::string& why, net::Headers extra = {}) const;
  /// Whether REQUEST carries the token (when one is required).
  bool authorized(const net::HttpRequest& request) const;
  /// Keeps the Origin of CONNECTION's current request for its answer, which may come later.
  void remember_origin(const net::HttpRequest& request,
                       const std::shared_ptr<net::Connection>& connection);

  Found find(const std::string& name, Stream*& stream, bool touch);
  /// The stream NAME, or null after answering 404 (missing), 410 (deleted) or 500 (damaged on
  /// disk) on CONNECTION.
  Stream* find_or_answer(const std::string& name, const std::shared_ptr<net::Connection>& connection,
                         bool touch);
  void expire(const std::string& name);
  void drop_stream(const std::string& name);

  void create(const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection,
              const std::string& name);
  void append(const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection,
              const std::string& name);
  void read(const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection,
            const std::string& name);
  void head(const std::shared_ptr<net::Connection>& connection, const std::string& name);
  void remove(const std::shared_ptr<net::Connection>& connection, const std::string& name);

  void run_writes(const std::string& name);
  void wake_readers(const std::string& name);

  /// Calls EACH with the data of NAME in [FROM, UNTIL), in order, following forks (a record
  /// cut where a bound cuts it; JSON data from the first message that starts at or after FROM),
  /// until about MAX_BYTES have been given. Returns the position after what was given (or
  /// skipped), FROM when nothing was.
  std::uint64_t visit(const std::string& name, std::uint64_t from, std::uint64_t until,
                      std::size_t max_bytes, const store::Store::Visitor& each);
  /// The data of NAME from FROM (following forks), at most about MAX_BYTES, as records.
  std::vector<store::Record> collect(const std::string& name, std::uint64_t from,
                                     std::size_t max_bytes);

  net::EventLoop& m_loop;
  store::Store& m_store;
  ServerOptions m_options;
  std::unordered_map<std::string, std::unique_ptr<Stream>> m_streams;
  std::unordered_map<std::string, std::string> m_damaged; ///< refused streams: why
  std::shared_ptr<bool> m_alive; ///< false once the server is gone: store callbacks check it
  /// The Origin of each open connection's current request, for those that have one.
  struct Origin {
    std::weak_ptr<net::Connection> connection;
    std::string value;
  };
  std::unordered_map<const net::Connection*, Origin> m_origins;
  std::size_t m_origins_pruned_at = 0; ///< m_origins' size after the last pruning
  const net::Connection* m_handling = nullptr; ///< the connection whose request is in handle
};

} // namespace durable
