#include "durable/server.hpp"

#include "durable/offset.hpp"
#include "durable/protocol.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <functional>

namespace durable {
namespace {

constexpr std::size_t k_read_chunk = 1024 * 1024;
constexpr std::size_t k_sse_queue_limit = 1024 * 1024;
constexpr const char* k_default_type = "application/octet-stream";
constexpr const char* k_expose =
  "Stream-Next-Offset, Stream-Cursor, Stream-Up-To-Date, Stream-Closed, Stream-TTL, "
  "Stream-Expires-At, Stream-SSE-Data-Encoding, ETag, Location, Producer-Epoch, Producer-Seq, "
  "Producer-Expected-Seq, Producer-Received-Seq";

std::int64_t now_ms()
{
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

net::Headers base_headers()
{
  return {{"X-Content-Type-Options", "nosniff"},
          {"Access-Control-Allow-Origin", "*"},
          {"Access-Control-Expose-Headers", k_expose}};
}

void reply(const std::shared_ptr<net::Connection>& connection, int status, net::Headers extra = {},
           std::string_view body = {}, const char* type = nullptr)
{
  net::Headers headers = base_headers();
  headers.insert(headers.end(), extra.begin(), extra.end());
  if (type != nullptr) {
    headers.emplace_back("Content-Type", type);
  }
  connection->respond(status, headers, body);
}

void fail(const std::shared_ptr<net::Connection>& connection, int status, const std::string& why,
          net::Headers extra = {})
{
  reply(connection, status, std::move(extra), why + "\n", "text/plain; charset=utf-8");
}

std::string etag(const std::string& name, std::uint64_t start, std::uint64_t end, bool closed)
{
  return "\"" + std::to_string(std::hash<std::string>{}(name)) + ":" + std::to_string(start) +
         ":" + std::to_string(end) + (closed ? ":c" : "") + "\"";
}

/// The stream name in PATH under PREFIX, decoded; nullopt when it is not one, or could escape.
std::optional<std::string> stream_name(const std::string& path, const std::string& prefix)
{
  if (path.rfind(prefix, 0) != 0) {
    return std::nullopt;
  }
  const std::string_view raw = std::string_view(path).substr(prefix.size());
  if (raw.empty() || raw.size() > 1024) {
    return std::nullopt;
  }
  // An encoded slash would let two different paths name one stream.
  if (raw.find("%2F") != std::string_view::npos || raw.find("%2f") != std::string_view::npos) {
    return std::nullopt;
  }
  auto name = net::percent_decode(raw);
  if (!name || name->find('\0') != std::string::npos) {
    return std::nullopt;
  }
  std::string_view rest = *name;
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") {
      return std::nullopt;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(slash + 1);
  }
  return name;
}

/// Every occurrence of query parameter NAME, still encoded.
std::vector<std::string> query_values(const std::string& query, std::string_view name)
{
  std::vector<std::string> values;
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      const auto decoded = net::percent_decode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
      values.push_back(decoded ? *decoded : std::string("\x01")); // malformed: never valid
    }
    if (amp == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(amp + 1);
  }
  return values;
}

struct Producer {
  std::string id;
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::string tuple() const { return id + " " + std::to_string(epoch) + " " + std::to_string(seq); }
};

} // namespace

// ---------------------------------------------------------------------------------------------

struct Server::Write {
  net::HttpRequest request;
  std::shared_ptr<net::Connection> connection;
};

struct Server::Waiter {
  std::shared_ptr<net::Connection> connection;
  std::uint64_t offset = 0;
  std::optional<std::string> cursor;
  net::EventLoop::TimerId timer = 0;
};

struct Server::Stream {
  store::StreamMeta meta;
  std::int64_t last_access_ms = 0;
  bool writing = false;
  std::deque<Write> queue;
  std::vector<std::shared_ptr<Waiter>> waiters;
  std::vector<std::shared_ptr<SseReader>> readers;
  bool json() const { return is_json(meta.content_type); }
};

/// An SSE reader: catch-up in data + control event pairs, then live.
class Server::SseReader : public std::enable_shared_from_this<SseReader> {
public:
  SseReader(Server& server, std::string name, std::shared_ptr<net::Connection> connection,
            std::uint64_t offset, std::optional<std::string> cursor, bool base64)
    : m_server(server), m_name(std::move(name)), m_connection(std::move(connection)),
      m_offset(offset), m_cursor(std::move(cursor)), m_base64(base64)
  {
  }
  ~SseReader() { m_server.m_loop.cancel(m_timer); }

  bool open() const { return m_connection->open() && m_connection->streaming(); }

  /// Sends what the stream has past the reader's offset; ends the stream once closed and sent.
  /// Returns false when the reader is done.
  bool pump()
  {
    if (!open()) {
      return false;
    }
    Stream* stream = nullptr;
    if (m_server.find(m_name, stream, false) != Found::ok) {
      m_connection->end_stream();
      return false;
    }
    while (m_offset < stream->meta.tail) {
      if (m_connection->queued_bytes() > k_sse_queue_limit) {
        arm(std::chrono::milliseconds(10)); // a slow reader: go on once it has taken some
        return true;
      }
      const auto records = m_server.collect(m_name, m_offset, k_read_chunk);
      if (records.empty()) {
        break;
      }
      std::string payload;
      if (stream->json()) {
        payload = "[";
        for (std::size_t i = 0; i < records.size(); ++i) {
          payload += (i == 0 ? "" : ",") + records[i].bytes;
        }
        payload += "]";
      } else {
        for (const auto& record : records) {
          payload += record.bytes;
        }
      }
      const auto& last = records.back();
      m_offset = last.position + last.bytes.size();
      m_connection->write(sse_event("data", m_base64 ? base64(payload) : payload));
      control(*stream);
    }
    if (stream->meta.closed && m_offset >= stream->meta.tail) {
      control(*stream);
      m_connection->end_stream();
      return false;
    }
    if (!m_sent_control) {
      control(*stream);
    }
    arm(m_server.m_options.long_poll_timeout);
    return true;
  }

  void end()
  {
    if (open()) {
      m_connection->end_stream();
    }
  }

private:
  void control(const Stream& stream)
  {
    const bool done = stream.meta.closed && m_offset >= stream.meta.tail;
    std::string json = "{\"streamNextOffset\":\"" + format_offset(m_offset) + "\"";
    if (!done) {
      m_cursor = next_cursor(now_ms(), m_cursor);
      json += ",\"streamCursor\":\"" + *m_cursor + "\"";
    }
    if (m_offset >= stream.meta.tail) {
      json += ",\"upToDate\":true";
    }
    if (done) {
      json += ",\"streamClosed\":true";
    }
    json += "}";
    m_connection->write(sse_event("control", json));
    m_sent_control = true;
  }

  void arm(std::chrono::milliseconds delay)
  {
    m_server.m_loop.cancel(m_timer);
    std::weak_ptr<SseReader> weak = weak_from_this();
    m_timer = m_server.m_loop.after(delay, [weak]() {
      if (const auto self = weak.lock()) {
        self->m_timer = 0;
        self->m_sent_control = false; // a heartbeat: the same offset, a fresh cursor
        self->pump();
      }
    });
  }

  Server& m_server;
  std::string m_name;
  std::shared_ptr<net::Connection> m_connection;
  std::uint64_t m_offset;
  std::optional<std::string> m_cursor;
  bool m_base64;
  bool m_sent_control = false;
  net::EventLoop::TimerId m_timer = 0;
};

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
            {{"Stream-Next-Offset", format_offset(stream->meta.tail)},
             {"Stream-Up-To-Date", "true"}});
    }
    stream->waiters.clear();
  }
}

Server::Found Server::find(const std::string& name, Stream*& stream, bool touch)
{
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
  const auto found = m_streams.find(name);
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
  m_store.remove(name, [](std::exception_ptr) {});
  // A fork going lets a soft-deleted source with no other forks go too.
  const std::string& source = stream->meta.forked_from;
  if (!source.empty()) {
    const auto parent = m_streams.find(source);
    if (parent != m_streams.end()) {
      auto& meta = parent->second->meta;
      if (meta.fork_count > 0) {
        --meta.fork_count;
      }
      if (meta.soft_deleted && meta.fork_count == 0) {
        drop_stream(source);
      } else {
        m_store.append(source, meta, {}, [](std::exception_ptr) {});
      }
    }
  }
}

std::vector<store::Record> Server::collect(const std::string& name, std::uint64_t from,
                                           std::size_t max_bytes)
{
  std::vector<store::Record> out;
  const auto found = m_streams.find(name);
  if (found == m_streams.end()) {
    return out;
  }
  const Stream& stream = *found->second;
  const auto& meta = stream.meta;
  const bool json = stream.json();
  std::size_t collected = 0;
  // The inherited part first: the source's data up to the fork offset, never past it.
  if (from < meta.fork_offset && !meta.forked_from.empty()) {
    for (auto& record : collect(meta.forked_from, from, max_bytes)) {
      if (record.position >= meta.fork_offset) {
        break;
      }
      if (record.position + record.bytes.size() > meta.fork_offset) {
        record.bytes.resize(meta.fork_offset - record.position);
      }
      collected += record.bytes.size();
      out.push_back(std::move(record));
    }
    if (!out.empty()) {
      const auto& last = out.back();
      if (last.position + last.bytes.size() < meta.fork_offset || collected >= max_bytes) {
        return out;
      }
    }
    from = meta.fork_offset;
  }
  for (auto& record : m_store.read(name, from, max_bytes - std::min(max_bytes - 1, collected))) {
    if (record.position >= meta.tail) {
      break; // not committed in memory yet
    }
    if (record.position < from) {
      if (json) {
        continue; // a JSON read starts at a message
      }
      record.bytes.erase(0, from - record.position);
      record.position = from;
    }
    out.push_back(std::move(record));
  }
  return out;
}

void Server::wake_readers(const std::string& name)
{
  Stream* stream = nullptr;
  if (find(name, stream, false) != Found::ok) {
    return;
  }
  auto waiters = std::move(stream->waiters);
  stream->waiters.clear();
  for (auto& waiter : waiters) {
    m_loop.cancel(waiter->timer);
    const auto records = collect(name, waiter->offset, k_read_chunk);
    net::Headers headers{{"Stream-Cursor", next_cursor(now_ms(), waiter->cursor)}};
    if (records.empty()) {
      // Closed at the tail: the end of the stream.
      headers.emplace_back("Stream-Next-Offset", format_offset(stream->meta.tail));
      headers.emplace_back("Stream-Up-To-Date", "true");
      if (stream->meta.closed) {
        headers.emplace_back("Stream-Closed", "true");
      }
      reply(waiter->connection, 204, headers);
      continue;
    }
    std::string body;
    if (stream->json()) {
      body = "[";
      for (std::size_t i = 0; i < records.size(); ++i) {
        body += (i == 0 ? "" : ",") + records[i].bytes;
      }
      body += "]";
    } else {
      for (const auto& record : records) {
        body += record.bytes;
      }
    }
    const std::uint64_t end = records.back().position + records.back().bytes.size();
    headers.emplace_back("Stream-Next-Offset", format_offset(end));
    if (end >= stream->meta.tail) {
      headers.emplace_back("Stream-Up-To-Date", "true");
      if (stream->meta.closed) {
        headers.emplace_back("Stream-Closed", "true");
      }
    }
    headers.emplace_back("Content-Type", stream->meta.content_type);
    reply(waiter->connection, 200, headers, body);
  }
  auto readers = stream->readers;
  stream->readers.clear();
  for (auto& reader : readers) {
    if (reader->pump()) {
      stream->readers.push_back(reader);
    }
  }
}

// ---------------------------------------------------------------------------------------------

void Server::handle(const net::HttpRequest& request,
                    const std::shared_ptr<net::Connection>& connection)
{
  if (m_options.log) {
    m_options.log(connection->peer() + ": " + request.method + " " + request.target);
  }
  if (request.method == "OPTIONS") {
    reply(connection, 204,
          {{"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, HEAD, OPTIONS"},
           {"Access-Control-Allow-Headers",
            "*, Authorization, Content-Type, If-None-Match, Last-Event-ID, Stream-TTL, "
            "Stream-Expires-At, Stream-Closed, Stream-Seq, Stream-Forked-From, "
            "Stream-Fork-Offset, Stream-Fork-Sub-Offset, Producer-Id, Producer-Epoch, "
            "Producer-Seq"},
           {"Access-Control-Max-Age", "86400"}});
    return;
  }
  if (!m_options.token.empty()) {
    const std::string* authorization = request.header("authorization");
    if (authorization == nullptr || *authorization != "Bearer " + m_options.token) {
      fail(connection, 401, "a valid Authorization: Bearer token is required",
           {{"WWW-Authenticate", "Bearer"}});
      return;
    }
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
    fail(connection, 405, "method not allowed",
         {{"Allow", "GET, POST, PUT, DELETE, HEAD, OPTIONS"}});
  }
}

void Server::create(const net::HttpRequest& request,
                    const std::shared_ptr<net::Connection>& connection, const std::string& name)
{
  store::StreamMeta meta;
  const std::string* type = request.header("content-type");
  meta.content_type = type != nullptr && !type->empty() ? *type : "";
  const std::string* ttl = request.header("stream-ttl");
  const std::string* expires = request.header("stream-expires-at");
  if (ttl != nullptr && expires != nullptr) {
    fail(connection, 400, "give Stream-TTL or Stream-Expires-At, not both");
    return;
  }
  if (ttl != nullptr) {
    meta.ttl_seconds = parse_ttl(*ttl);
    if (!meta.ttl_seconds) {
      fail(connection, 400, "Stream-TTL must be a whole number of seconds");
      return;
    }
  }
  if (expires != nullptr) {
    meta.expires_at_ms = parse_timestamp(*expires);
    if (!meta.expires_at_ms) {
      fail(connection, 400, "Stream-Expires-At must be an RFC 3339 timestamp");
      return;
    }
    meta.expires_at = *expires;
  }
  meta.closed = is_true(request.header("stream-closed"));

  // A fork: the source's data up to the fork offset, then its own.
  const std::string* forked_from = request.header("stream-forked-from");
  const std::string* fork_offset = request.header("stream-fork-offset");
  const std::string* sub_offset = request.header("stream-fork-sub-offset");
  Stream* source = nullptr;
  std::optional<std::string> source_name;
  if (forked_from != nullptr) {
    std::string path = *forked_from;
    if (path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0) {
      const auto slash = path.find('/', path.find("://") + 3);
      path = slash == std::string::npos ? "/" : path.substr(slash);
    }
    source_name = stream_name(path, m_options.prefix);
    if (!source_name) {
      source_name = path.rfind('/', 0) == 0 ? path.substr(1) : path;
    }
    const Found found = find(*source_name, source, false);
    if (found == Found::missing) {
      fail(connection, 404, "the fork's source stream does not exist");
      return;
    }
    if (found == Found::gone) {
      fail(connection, 409, "the fork's source stream was deleted");
      return;
    }
  } else if (sub_offset != nullptr || fork_offset != nullptr) {
    fail(connection, 400, "Stream-Fork-Offset and Stream-Fork-Sub-Offset need Stream-Forked-From");
    return;
  }
  if (source != nullptr) {
    std::uint64_t at = source->meta.tail;
    if (fork_offset != nullptr) {
      const auto parsed = parse_offset(*fork_offset);
      if (!parsed || parsed->kind == OffsetRequest::Kind::now) {
        fail(connection, 400, "Stream-Fork-Offset is not an offset");
        return;
      }
      at = parsed->kind == OffsetRequest::Kind::start ? 0 : parsed->position;
      if (at > source->meta.tail) {
        fail(connection, 400, "Stream-Fork-Offset is past the source's tail");
        return;
      }
    }
    if (sub_offset != nullptr) {
      const auto sub = parse_counter(*sub_offset);
      if (!sub) {
        fail(connection, 400, "Stream-Fork-Sub-Offset must be a whole number");
        return;
      }
      if (*sub > 0 && fork_offset == nullptr) {
        fail(connection, 400, "Stream-Fork-Sub-Offset needs Stream-Fork-Offset");
        return;
      }
      if (source->meta.tail == 0) {
        fail(connection, 400, "Stream-Fork-Sub-Offset on an empty source");
        return;
      }
      if (source->json()) {
        // Messages, not bytes.
        std::uint64_t left = *sub;
        std::uint64_t position = at;
        while (left > 0 && position < source->meta.tail) {
          const auto records = collect(*source_name, position, 1);
          if (records.empty()) {
            break;
          }
          position = records.front().position + records.front().bytes.size();
          --left;
        }
        if (left > 0) {
          fail(connection, 400, "Stream-Fork-Sub-Offset is past the source's tail");
          return;
        }
        at = position;
      } else {
        if (*sub > source->meta.tail - at) {
          fail(connection, 400, "Stream-Fork-Sub-Offset is past the source's tail");
          return;
        }
        at += *sub;
      }
    }
    if (meta.content_type.empty()) {
      meta.content_type = source->meta.content_type;
    } else if (media_type(meta.content_type) != media_type(source->meta.content_type)) {
      fail(connection, 409, "a fork has its source's content type");
      return;
    }
    if (!meta.ttl_seconds && !meta.expires_at) {
      meta.ttl_seconds = source->meta.ttl_seconds;
      meta.expires_at = source->meta.expires_at;
      meta.expires_at_ms = source->meta.expires_at_ms;
    }
    meta.forked_from = *source_name;
    meta.fork_offset = at;
  }
  if (meta.content_type.empty()) {
    meta.content_type = k_default_type;
  }
  meta.tail = meta.fork_offset;

  Stream* existing = nullptr;
  const Found found = find(name, existing, false);
  if (found == Found::gone) {
    fail(connection, 409, "the stream was deleted but forks still read from it");
    return;
  }
  if (found == Found::ok) {
    const auto& old = existing->meta;
    const bool same = media_type(old.content_type) == media_type(meta.content_type) &&
                      old.ttl_seconds == meta.ttl_seconds &&
                      old.expires_at_ms == meta.expires_at_ms && old.closed == meta.closed &&
                      old.forked_from == meta.forked_from &&
                      (meta.forked_from.empty() || old.fork_offset == meta.fork_offset);
    if (!same) {
      fail(connection, 409, "the stream exists with another configuration");
      return;
    }
    net::Headers headers{{"Content-Type", old.content_type},
                         {"Stream-Next-Offset", format_offset(old.tail)}};
    if (old.closed) {
      headers.emplace_back("Stream-Closed", "true");
    }
    reply(connection, 200, headers);
    return;
  }

  std::vector<std::string> records;
  if (!request.body.empty()) {
    if (is_json(meta.content_type)) {
      auto messages = json_messages(request.body);
      if (!messages) {
        fail(connection, 400, "the body is not valid JSON");
        return;
      }
      records = std::move(*messages);
    } else {
      records.push_back(request.body);
    }
  }
  for (const auto& record : records) {
    meta.tail += record.size();
  }
  meta.created_ms = now_ms();
  auto stream = std::make_unique<Stream>();
  stream->meta = meta;
  stream->meta.tail = meta.fork_offset; // nothing is readable before the store has it
  stream->last_access_ms = meta.created_ms;
  stream->writing = true;
  m_streams[name] = std::move(stream);
  if (source != nullptr) {
    ++source->meta.fork_count;
    m_store.append(*source_name, source->meta, {}, [](std::exception_ptr) {});
  }
  const std::string location = m_options.base_url + request.path;
  auto alive = m_alive;
  m_store.create(name, meta, std::move(records),
                 [this, alive, name, meta, connection, location](std::exception_ptr error) {
                   m_loop.post([this, alive, name, meta, connection, location, error]() {
                     if (!*alive) {
                       return;
                     }
                     const auto created = m_streams.find(name);
                     if (error) {
                       if (created != m_streams.end()) {
                         drop_stream(name);
                       }
                       fail(connection, 500, "the stream could not be stored");
                       return;
                     }
                     if (created == m_streams.end()) {
                       return;
                     }
                     created->second->meta = meta;
                     created->second->writing = false;
                     net::Headers headers{{"Content-Type", meta.content_type},
                                          {"Stream-Next-Offset", format_offset(meta.tail)},
                                          {"Location", location}};
                     if (meta.closed) {
                       headers.emplace_back("Stream-Closed", "true");
                     }
                     reply(connection, 201, headers);
                     run_writes(name);
                   });
                 });
}

void Server::append(const net::HttpRequest& request,
                    const std::shared_ptr<net::Connection>& connection, const std::string& name)
{
  Stream* stream = nullptr;
  const Found found = find(name, stream, true);
  if (found == Found::missing) {
    fail(connection, 404, "no such stream");
    return;
  }
  if (found == Found::gone) {
    fail(connection, 410, "the stream was deleted");
    return;
  }
  stream->queue.push_back(Write{request, connection});
  run_writes(name);
}

void Server::run_writes(const std::string& name)
{
  const auto found = m_streams.find(name);
  if (found == m_streams.end()) {
    return;
  }
  Stream& stream = *found->second;
  if (stream.writing || stream.queue.empty()) {
    return;
  }
  store::StreamMeta meta = stream.meta;
  std::vector<std::string> records;
  // The answers go out once the batch is durable (or at once when nothing is written).
  std::vector<std::function<void(bool stored)>> answers;

  for (Write& write : stream.queue) {
    const auto& request = write.request;
    auto connection = write.connection;
    auto answer_now = [&answers, connection](int status, net::Headers headers, std::string why) {
      answers.push_back([=](bool) {
        if (why.empty()) {
          reply(connection, status, headers);
        } else {
          fail(connection, status, why, headers);
        }
      });
    };
    const std::string offset = format_offset(meta.tail);

    // Producer headers: all three or none.
    const std::string* id = request.header("producer-id");
    const std::string* epoch_text = request.header("producer-epoch");
    const std::string* seq_text = request.header("producer-seq");
    std::optional<Producer> producer;
    if (id != nullptr || epoch_text != nullptr || seq_text != nullptr) {
      const auto epoch = epoch_text ? parse_counter(*epoch_text) : std::nullopt;
      const auto seq = seq_text ? parse_counter(*seq_text) : std::nullopt;
      if (id == nullptr || id->empty() || !epoch || !seq) {
        answer_now(400, {}, "Producer-Id, Producer-Epoch and Producer-Seq go together, as a "
                            "non-empty id and whole numbers");
        continue;
      }
      producer = Producer{*id, *epoch, *seq};
    }
    const bool close = is_true(request.header("stream-closed"));
    const bool close_only = close && request.body.empty();
    if (request.body.empty() && !close) {
      answer_now(400, {}, "an append needs a body (or Stream-Closed: true)");
      continue;
    }
    const std::string* type = request.header("content-type");
    if (!close_only && (type == nullptr || type->empty())) {
      answer_now(400, {}, "an append needs a Content-Type");
      continue;
    }

    if (meta.closed) {
      net::Headers closed{{"Stream-Closed", "true"}, {"Stream-Next-Offset", offset}};
      if (producer && producer->tuple() == meta.closed_by) {
        closed.emplace_back("Producer-Epoch", std::to_string(producer->epoch));
        closed.emplace_back("Producer-Seq", std::to_string(producer->seq));
        answer_now(204, closed, "");
        continue;
      }
      if (producer) {
        const auto state = meta.producers.find(producer->id);
        if (state != meta.producers.end() && producer->epoch < state->second.epoch) {
          answer_now(403, {{"Producer-Epoch", std::to_string(state->second.epoch)}},
                     "a newer epoch of this producer has written");
          continue;
        }
      }
      if (close_only && !producer) {
        answer_now(204, closed, "");
        continue;
      }
      answer_now(409, closed, "the stream is closed");
      continue;
    }
    if (!close_only && media_type(*type) != media_type(meta.content_type)) {
      answer_now(409, {}, "the stream's content type is " + meta.content_type);
      continue;
    }
    if (producer) {
      const auto state = meta.producers.find(producer->id);
      if (state == meta.producers.end()) {
        if (producer->seq != 0) {
          answer_now(409, {{"Producer-Expected-Seq", "0"},
                           {"Producer-Received-Seq", std::to_string(producer->seq)}},
                     "a new producer starts at Producer-Seq 0");
          continue;
        }
      } else {
        const store::Producer last = state->second;
        if (producer->epoch < last.epoch) {
          answer_now(403, {{"Producer-Epoch", std::to_string(last.epoch)}},
                     "a newer epoch of this producer has written");
          continue;
        }
        if (producer->epoch > last.epoch && producer->seq != 0) {
          answer_now(400, {}, "a new epoch starts at Producer-Seq 0");
          continue;
        }
        if (producer->epoch == last.epoch && producer->seq <= last.seq) {
          answer_now(204,
                     {{"Producer-Epoch", std::to_string(last.epoch)},
                      {"Producer-Seq", std::to_string(last.seq)},
                      {"Stream-Next-Offset", offset}},
                     "");
          continue;
        }
        if (producer->epoch == last.epoch && producer->seq > last.seq + 1) {
          answer_now(409, {{"Producer-Expected-Seq", std::to_string(last.seq + 1)},
                           {"Producer-Received-Seq", std::to_string(producer->seq)}},
                     "Producer-Seq skips ahead");
          continue;
        }
      }
    }
    if (const std::string* seq = request.header("stream-seq")) {
      if (!meta.last_stream_seq.empty() && *seq <= meta.last_stream_seq) {
        answer_now(409, {}, "Stream-Seq must grow");
        continue;
      }
    }
    std::vector<std::string> added;
    if (!close_only) {
      if (is_json(meta.content_type)) {
        auto messages = json_messages(request.body);
        if (!messages) {
          answer_now(400, {}, "the body is not valid JSON");
          continue;
        }
        if (messages->empty()) {
          answer_now(400, {}, "an empty JSON array appends nothing");
          continue;
        }
        added = std::move(*messages);
      } else {
        added.push_back(request.body);
      }
    }
    // Accepted.
    for (auto& record : added) {
      meta.tail += record.size();
      records.push_back(std::move(record));
    }
    if (const std::string* seq = request.header("stream-seq")) {
      meta.last_stream_seq = *seq;
    }
    net::Headers headers{{"Stream-Next-Offset", format_offset(meta.tail)}};
    if (producer) {
      meta.producers[producer->id] = store::Producer{producer->epoch, producer->seq};
      headers.emplace_back("Producer-Epoch", std::to_string(producer->epoch));
      headers.emplace_back("Producer-Seq", std::to_string(producer->seq));
    }
    if (close) {
      meta.closed = true;
      meta.closed_by = producer ? producer->tuple() : "";
      headers.emplace_back("Stream-Closed", "true");
    }
    const int status = producer && !close_only ? 200 : 204;
    answers.push_back([connection, status, headers](bool stored) {
      if (stored) {
        reply(connection, status, headers);
      } else {
        fail(connection, 500, "the append could not be stored");
      }
    });
  }
  stream.queue.clear();

  if (records.empty() && meta == stream.meta) {
    for (auto& answer : answers) {
      answer(true);
    }
    return;
  }
  stream.writing = true;
  auto alive = m_alive;
  m_store.append(name, meta, std::move(records),
                 [this, alive, name, meta, answers = std::move(answers)](std::exception_ptr error) {
                   m_loop.post([this, alive, name, meta, answers, error]() {
                     if (!*alive) {
                       return;
                     }
                     const auto current = m_streams.find(name);
                     if (current != m_streams.end()) {
                       current->second->writing = false;
                       if (!error) {
                         // Forks made or deleted meanwhile changed these; the rest is ours.
                         auto committed = meta;
                         committed.fork_count = current->second->meta.fork_count;
                         committed.soft_deleted = current->second->meta.soft_deleted;
                         current->second->meta = committed;
                       }
                     }
                     for (const auto& answer : answers) {
                       answer(!error);
                     }
                     if (current != m_streams.end()) {
                       wake_readers(name);
                       run_writes(name);
                     }
                   });
                 });
}

void Server::read(const net::HttpRequest& request,
                  const std::shared_ptr<net::Connection>& connection, const std::string& name)
{
  Stream* stream = nullptr;
  const Found found = find(name, stream, true);
  if (found == Found::missing) {
    fail(connection, 404, "no such stream");
    return;
  }
  if (found == Found::gone) {
    fail(connection, 410, "the stream was deleted");
    return;
  }
  const auto lives = query_values(request.query, "live");
  const std::string live = lives.empty() ? "" : lives.front();
  if (!live.empty() && live != "long-poll" && live != "sse") {
    fail(connection, 400, "live must be long-poll or sse");
    return;
  }
  const auto offsets = query_values(request.query, "offset");
  if (offsets.size() > 1) {
    fail(connection, 400, "one offset at a time");
    return;
  }
  if (offsets.empty() && !live.empty()) {
    fail(connection, 400, "a live read needs an offset");
    return;
  }
  OffsetRequest offset;
  if (!offsets.empty()) {
    const auto parsed = parse_offset(offsets.front());
    if (!parsed) {
      fail(connection, 400, "not an offset: " + offsets.front());
      return;
    }
    offset = *parsed;
  }
  const auto& meta = stream->meta;
  std::uint64_t from = offset.kind == OffsetRequest::Kind::position ? offset.position
                       : offset.kind == OffsetRequest::Kind::now    ? meta.tail
                                                                    : 0;
  if (from > meta.tail) {
    fail(connection, 400, "the offset is past the end of the stream");
    return;
  }
  const auto cursors = query_values(request.query, "cursor");
  const std::optional<std::string> cursor =
    cursors.empty() ? std::nullopt : std::optional<std::string>(cursors.front());

  if (live == "sse") {
    const bool binary = !is_text(meta.content_type);
    net::Headers headers = base_headers();
    headers.emplace_back("Content-Type", "text/event-stream");
    headers.emplace_back("Cache-Control", "no-cache");
    if (binary) {
      headers.emplace_back("Stream-SSE-Data-Encoding", "base64");
    }
    connection->start_stream(200, headers);
    if (!connection->streaming()) {
      return; // HEAD
    }
    auto reader = std::make_shared<SseReader>(*this, name, connection, from, cursor, binary);
    if (reader->pump()) {
      stream->readers.push_back(reader);
    }
    return;
  }

  const bool json = stream->json();
  const char* empty_body = json ? "[]" : "";
  if (offset.kind == OffsetRequest::Kind::now && live.empty()) {
    net::Headers headers{{"Content-Type", meta.content_type},
                         {"Stream-Next-Offset", format_offset(meta.tail)},
                         {"Stream-Up-To-Date", "true"},
                         {"Cache-Control", "no-store"},
                         {"Cross-Origin-Resource-Policy", "cross-origin"}};
    if (meta.closed) {
      headers.emplace_back("Stream-Closed", "true");
    }
    reply(connection, 200, headers, empty_body);
    return;
  }

  if (live == "long-poll" && from >= meta.tail) {
    if (meta.closed) {
      reply(connection, 204,
            {{"Stream-Next-Offset", format_offset(meta.tail)},
             {"Stream-Up-To-Date", "true"},
             {"Stream-Closed", "true"}});
      return;
    }
    auto waiter = std::make_shared<Waiter>();
    waiter->connection = connection;
    waiter->offset = from;
    waiter->cursor = cursor;
    std::weak_ptr<Waiter> weak = waiter;
    waiter->timer = m_loop.after(m_options.long_poll_timeout, [this, weak, name]() {
      const auto self = weak.lock();
      if (!self) {
        return;
      }
      const auto current = m_streams.find(name);
      if (current == m_streams.end()) {
        return;
      }
      auto& waiters = current->second->waiters;
      waiters.erase(std::remove(waiters.begin(), waiters.end(), self), waiters.end());
      reply(self->connection, 204,
            {{"Stream-Next-Offset", format_offset(current->second->meta.tail)},
             {"Stream-Up-To-Date", "true"},
             {"Stream-Cursor", next_cursor(now_ms(), self->cursor)}});
    });
    stream->waiters.push_back(std::move(waiter));
    return;
  }

  // Catch-up (or a long-poll with data waiting): up to a chunk from the offset.
  const auto records = collect(name, from, k_read_chunk);
  std::string body;
  if (json) {
    body = "[";
    for (std::size_t i = 0; i < records.size(); ++i) {
      body += (i == 0 ? "" : ",") + records[i].bytes;
    }
    body += "]";
  } else {
    for (const auto& record : records) {
      body += record.bytes;
    }
  }
  const std::uint64_t end =
    records.empty() ? from : records.back().position + records.back().bytes.size();
  const bool at_tail = end >= meta.tail;
  const bool closed_end = at_tail && meta.closed;
  const std::string tag = etag(name, from, end, closed_end);
  net::Headers headers{{"Content-Type", meta.content_type},
                       {"Stream-Next-Offset", format_offset(end)},
                       {"Cross-Origin-Resource-Policy", "cross-origin"}};
  if (at_tail) {
    headers.emplace_back("Stream-Up-To-Date", "true");
  }
  if (closed_end) {
    headers.emplace_back("Stream-Closed", "true");
  }
  if (live == "long-poll") {
    headers.emplace_back("Stream-Cursor", next_cursor(now_ms(), cursor));
  } else {
    headers.emplace_back("ETag", tag);
    if (const std::string* match = request.header("if-none-match"); match && *match == tag) {
      reply(connection, 304, headers);
      return;
    }
  }
  reply(connection, 200, headers, body);
}

void Server::head(const std::shared_ptr<net::Connection>& connection, const std::string& name)
{
  Stream* stream = nullptr;
  const Found found = find(name, stream, false);
  if (found != Found::ok) {
    reply(connection, found == Found::missing ? 404 : 410, {{"Cache-Control", "no-store"}});
    return;
  }
  const auto& meta = stream->meta;
  net::Headers headers{{"Content-Type", meta.content_type},
                       {"Stream-Next-Offset", format_offset(meta.tail)},
                       {"Cache-Control", "no-store"},
                       {"ETag", etag(name, 0, meta.tail, meta.closed)}};
  if (meta.ttl_seconds) {
    headers.emplace_back("Stream-TTL", std::to_string(*meta.ttl_seconds));
  }
  if (meta.expires_at) {
    headers.emplace_back("Stream-Expires-At", *meta.expires_at);
  }
  if (meta.closed) {
    headers.emplace_back("Stream-Closed", "true");
  }
  reply(connection, 200, headers);
}

void Server::remove(const std::shared_ptr<net::Connection>& connection, const std::string& name)
{
  Stream* stream = nullptr;
  const Found found = find(name, stream, false);
  if (found == Found::missing) {
    fail(connection, 404, "no such stream");
    return;
  }
  if (found == Found::gone) {
    fail(connection, 410, "the stream was deleted");
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
