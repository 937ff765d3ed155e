// The Durable Streams server: streams in memory, routing, lookup and expiry, HEAD and DELETE.

#include "durable/server/internal.hpp"
#include "durable/server/sse_reader.hpp"

#include "util/error.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <iterator>

namespace durable {
namespace {

constexpr const char* k_methods = "GET, POST, PUT, DELETE, HEAD, OPTIONS";
// The request headers of the protocol that a page may send.
const std::string k_request_headers =
  std::string("Authorization, Content-Type, If-None-Match, Last-Event-ID, ") + header::k_ttl + ", "
  + header::k_expires_at + ", " + header::k_closed + ", " + header::k_seq + ", "
  + header::k_forked_from + ", " + header::k_fork_offset + ", " + header::k_fork_sub_offset + ", "
  + header::k_producer_id + ", " + header::k_producer_epoch + ", " + header::k_producer_seq;

} // namespace

namespace {

/// Why a damaged stream is refused, for its 500 answers: what and where, the file named by its
/// stream directory and file name (the data directory is the server's business).
std::string damaged_text(const store::Damage& damage)
{
  std::string file = damage.file;
  if (const auto slash = file.rfind('/'); slash != std::string::npos && slash > 0) {
    if (const auto before = file.rfind('/', slash - 1); before != std::string::npos) {
      file.erase(0, before + 1);
    }
  }
  return "is damaged on disk and is not served until it is repaired: " + damage.what + " (" +
         file + " at byte " + std::to_string(damage.offset) + ")";
}

} // namespace

// ---------------------------------------------------------------------------------------------

Server::Server(net::EventLoop& loop, store::Store& store, ServerOptions options)
  : m_loop(loop), m_store(store), m_options(std::move(options)),
    m_alive(std::make_shared<bool>(true))
{
}

Server::~Server()
{
  *m_alive = false;
}

void Server::load()
{
  const std::int64_t now = now_ms();
  for (auto& [name, meta] : m_store.load()) {
    auto stream = std::make_unique<Stream>();
    stream->meta = std::move(meta);
    stream->last_access_ms = now;
    m_streams[name] = std::move(stream);
  }
  for (const auto& damage : m_store.damage()) {
    if (!damage.repaired && !damage.stream.empty()) {
      m_damaged[damage.stream] = damaged_text(damage);
    }
  }
  // A fork reads its source: a damaged source leaves it with a hole, so it is refused too.
  for (const auto& [name, stream] : m_streams) {
    std::string source = stream->meta.forked_from;
    for (std::size_t depth = 0; !source.empty() && depth <= m_streams.size(); ++depth) {
      if (const auto damaged = m_damaged.find(source); damaged != m_damaged.end()) {
        m_damaged.emplace(name, "its fork source " + source + " " + damaged->second);
        break;
      }
      const auto parent = m_streams.find(source);
      source = parent == m_streams.end() ? std::string() : parent->second->meta.forked_from;
    }
  }
}

void Server::shutdown()
{
  for (auto& [name, stream] : m_streams) {
    for (auto& reader : stream->readers) {
      reader->end();
    }
    stream->readers.clear();
    for (auto& waiter : stream->waiters) {
      m_loop.cancel(waiter->timer);
      reply(waiter->connection, 204,
            {{header::k_next_offset, format_offset(stream->meta.tail)},
             {header::k_up_to_date, "true"}});
    }
    stream->waiters.clear();
  }
}

Server::Found Server::find(const std::string& name, Stream*& stream, bool touch)
{
  if (m_damaged.contains(name)) {
    return Found::damaged;
  }
  const auto found = m_streams.find(name);
  if (found == m_streams.end()) {
    return Found::missing;
  }
  Stream& candidate = *found->second;
  const std::int64_t now = now_ms();
  const auto& meta = candidate.meta;
  const bool expired =
    (meta.ttl_seconds && now - candidate.last_access_ms >= static_cast<std::int64_t>(*meta.ttl_seconds) * 1000) ||
    (meta.expires_at_ms && now >= *meta.expires_at_ms);
  if (expired && !meta.soft_deleted) {
    expire(name);
    return find(name, stream, touch);
  }
  if (candidate.meta.soft_deleted) {
    return Found::gone;
  }
  if (touch) {
    candidate.last_access_ms = now;
  }
  stream = &candidate;
  return Found::ok;
}

void Server::expire(const std::string& name)
{
  Stream& stream = *m_streams.at(name);
  if (stream.meta.fork_count > 0) {
    // Forks still read from it: it stays, as if deleted.
    stream.meta.soft_deleted = true;
    m_store.append(name, stream.meta, {}, [](std::exception_ptr) {});
    return;
  }
  drop_stream(name);
}

void Server::drop_stream(const std::string& name)
{
  // A fork going lets a soft-deleted source with no other forks go too, and so on up the
  // chain: a loop, not recursion, because a chain of forks is as long as its users make it.
  std::string next = name;
  while (!next.empty()) {
    const auto found = m_streams.find(next);
    if (found == m_streams.end()) {
      return;
    }
    std::unique_ptr<Stream> stream = std::move(found->second);
    m_streams.erase(found);
    for (auto& reader : stream->readers) {
      reader->end();
    }
    for (auto& waiter : stream->waiters) {
      m_loop.cancel(waiter->timer);
      fail(waiter->connection, 404, "stream deleted");
    }
    m_store.remove(next, [](std::exception_ptr) {});
    next.clear();
    const std::string& source = stream->meta.forked_from;
    const auto parent = source.empty() ? m_streams.end() : m_streams.find(source);
    if (parent != m_streams.end()) {
      auto& meta = parent->second->meta;
      if (meta.fork_count > 0) {
        --meta.fork_count;
      }
      if (meta.soft_deleted && meta.fork_count == 0) {
        next = source;
      } else {
        m_store.append(source, meta, {}, [](std::exception_ptr) {});
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------

net::Headers Server::base_headers(const net::Connection* connection) const
{
  const net::Connection* key = connection != nullptr ? connection : m_handling;
  const std::string* origin = nullptr;
  if (const auto found = m_origins.find(key); key != nullptr && found != m_origins.end()) {
    origin = &found->second.value;
  }
  net::Headers headers{{"X-Content-Type-Options", "nosniff"}};
  for (auto& header : m_options.access.cors.response_headers(origin, k_expose)) {
    headers.push_back(std::move(header));
  }
  return headers;
}

void Server::reply(const std::shared_ptr<net::Connection>& connection, int status,
                   net::Headers extra, std::string_view body, const char* type) const
{
  net::Headers headers = base_headers(connection.get());
  headers.insert(headers.end(), extra.begin(), extra.end());
  if (type != nullptr) {
    headers.emplace_back("Content-Type", type);
  }
  connection->respond(status, headers, body);
}

void Server::fail(const std::shared_ptr<net::Connection>& connection, int status,
                  const std::string& why, net::Headers extra) const
{
  reply(connection, status, std::move(extra), why + "\n", "text/plain; charset=utf-8");
}

void Server::remember_origin(const net::HttpRequest& request,
                             const std::shared_ptr<net::Connection>& connection)
{
  const std::string* origin = request.header("origin");
  if (origin == nullptr) {
    m_origins.erase(connection.get());
    return;
  }
  m_origins[connection.get()] = Origin{connection, *origin};
  // Closed connections leave their entry behind: swept whenever the map has doubled.
  if (m_origins.size() > 2 * std::max<std::size_t>(m_origins_pruned_at, 32)) {
    for (auto it = m_origins.begin(); it != m_origins.end();) {
      it = it->second.connection.expired() ? m_origins.erase(it) : std::next(it);
    }
    m_origins_pruned_at = m_origins.size();
  }
}

bool Server::authorized(const net::HttpRequest& request) const
{
  if (m_options.token.empty()) {
    return true;
  }
  const std::string* authorization = request.header("authorization");
  if (authorization == nullptr) {
    return false;
  }
  // RFC 9110 11.4: the scheme is case-insensitive, then one or more spaces, then the token.
  std::string_view value = *authorization;
  constexpr std::string_view scheme = "bearer";
  if (value.size() <= scheme.size() || util::to_lower(value.substr(0, scheme.size())) != scheme ||
      value[scheme.size()] != ' ') {
    return false;
  }
  value.remove_prefix(scheme.size());
  while (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  // Compared in a time that does not depend on where the first difference is.
  const std::string& token = m_options.token;
  unsigned difference = value.size() == token.size() ? 0U : 1U;
  for (std::size_t i = 0; i < token.size(); ++i) {
    difference |= static_cast<unsigned char>(token[i]) ^
                  static_cast<unsigned char>(i < value.size() ? value[i] : '\0');
  }
  return difference == 0;
}

void Server::handle(const net::HttpRequest& request,
                    const std::shared_ptr<net::Connection>& connection)
{
  if (m_options.log) {
    m_options.log(connection->peer() + ": " + request.method + " " + request.target);
  }
  remember_origin(request, connection);
  m_handling = connection.get();
  struct Done {
    const net::Connection*& handling;
    ~Done() { handling = nullptr; }
  } done{m_handling};

  if (const auto refusal = m_options.access.refusal(request)) {
    if (m_options.log) {
      m_options.log(connection->peer() + ": refused: " + refusal->substr(0, refusal->size() - 1));
    }
    reply(connection, 403, {}, *refusal, "text/plain; charset=utf-8");
    return;
  }
  if (request.method == "OPTIONS") {
    net::Headers headers{{"Allow", k_methods}};
    if (net::is_preflight(request)) {
      // A preflight carries no credentials: it is answered without the token.
      for (auto& header : m_options.access.cors.preflight_headers(request, k_methods, k_request_headers)) {
        headers.push_back(std::move(header));
      }
    }
    reply(connection, 204, headers);
    return;
  }
  if (!authorized(request)) {
    fail(connection, 401, "a valid Authorization: Bearer token is required",
         {{"WWW-Authenticate", "Bearer"}});
    return;
  }
  const auto name = stream_name(request.path, m_options.prefix);
  if (!name) {
    if (request.path.rfind(m_options.prefix, 0) == 0) {
      fail(connection, 400, "not a valid stream name");
    } else {
      fail(connection, 404, "streams are under " + m_options.prefix);
    }
    return;
  }
  if (request.method == "PUT") {
    create(request, connection, *name);
  } else if (request.method == "POST") {
    append(request, connection, *name);
  } else if (request.method == "GET") {
    read(request, connection, *name);
  } else if (request.method == "HEAD") {
    head(connection, *name);
  } else if (request.method == "DELETE") {
    remove(connection, *name);
  } else {
    fail(connection, 405, "method not allowed", {{"Allow", k_methods}});
  }
}

void Server::head(const std::shared_ptr<net::Connection>& connection, const std::string& name)
{
  Stream* stream = nullptr;
  const Found found = find(name, stream, false);
  if (found != Found::ok) {
    const int status = found == Found::missing ? 404 : found == Found::gone ? 410 : 500;
    reply(connection, status, {{"Cache-Control", "no-store"}});
    return;
  }
  const auto& meta = stream->meta;
  net::Headers headers{{"Content-Type", meta.content_type},
                       {header::k_next_offset, format_offset(meta.tail)},
                       {"Cache-Control", "no-store"},
                       {"ETag", etag(name, 0, meta.tail, meta.closed)}};
  if (meta.ttl_seconds) {
    headers.emplace_back(header::k_ttl, std::to_string(*meta.ttl_seconds));
  }
  if (meta.expires_at) {
    headers.emplace_back(header::k_expires_at, *meta.expires_at);
  }
  if (meta.closed) {
    headers.emplace_back(header::k_closed, "true");
  }
  reply(connection, 200, headers);
}

Server::Stream* Server::find_or_answer(const std::string& name,
                                       const std::shared_ptr<net::Connection>& connection,
                                       bool touch)
{
  Stream* stream = nullptr;
  switch (find(name, stream, touch)) {
  case Found::ok:
    return stream;
  case Found::missing:
    fail(connection, 404, "no such stream");
    return nullptr;
  case Found::gone:
    fail(connection, 410, "the stream was deleted");
    return nullptr;
  case Found::damaged:
    fail(connection, 500, "the stream " + m_damaged.at(name));
    return nullptr;
  }
  return nullptr;
}

void Server::remove(const std::shared_ptr<net::Connection>& connection, const std::string& name)
{
  Stream* stream = find_or_answer(name, connection, false);
  if (stream == nullptr) {
    return;
  }
  if (stream->meta.fork_count > 0) {
    stream->meta.soft_deleted = true;
    for (auto& reader : stream->readers) {
      reader->end();
    }
    stream->readers.clear();
    m_store.append(name, stream->meta, {}, [](std::exception_ptr) {});
  } else {
    drop_stream(name);
  }
  reply(connection, 204);
}

} // namespace durable
