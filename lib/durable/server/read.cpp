// GET: catch-up, long-poll and SSE reads, across forks.

#include "durable/server/catch_up.hpp"
#include "durable/server/internal.hpp"
#include "durable/server/sse_reader.hpp"
#include "util/error.hpp"

#include <limits>

namespace durable {

std::uint64_t Server::visit(const std::string& name, std::uint64_t from, std::uint64_t until,
                            std::size_t max_bytes, const store::Store::Visitor& each)
{
  const auto found = m_streams.find(name);
  if (found == m_streams.end()) {
    return from;
  }
  const bool json = found->second->json();
  // Which stream holds which part of [FROM, UNTIL): each its own records from its fork offset
  // up to where the part the fork after it inherits ends. Found walking from NAME towards the
  // source that holds FROM, read in the opposite order; a loop, not recursion, because a
  // chain of forks is as long as its users make it.
  struct Span {
    const std::string* name;
    std::uint64_t start;
    std::uint64_t end;
  };
  std::vector<Span> spans;
  std::uint64_t bound = std::min(until, found->second->meta.tail);
  for (auto at = found; at != m_streams.end();) {
    const auto& meta = at->second->meta;
    const std::uint64_t start = meta.forked_from.empty() ? 0 : meta.fork_offset;
    if (std::max(start, from) < bound) {
      spans.push_back(Span{&at->first, std::max(start, from), bound});
    }
    if (from >= start || meta.forked_from.empty()) {
      break;
    }
    bound = std::min(bound, start);
    at = m_streams.find(meta.forked_from);
  }

  std::uint64_t next = from;
  std::size_t given = 0;
  for (auto span = spans.rbegin(); span != spans.rend() && given < max_bytes; ++span) {
    if (span->start != next) {
      break; // a part is missing: nothing after it is given
    }
    const std::uint64_t end = span->end;
    m_store.read_each(*span->name, span->start, max_bytes - given,
                      [&](std::uint64_t position, std::string_view bytes) {
                        if (position >= end || position + bytes.size() <= next) {
                          return;
                        }
                        if (position < next) {
                          if (json) {
                            next = position + bytes.size(); // a JSON read starts at a message
                            return;
                          }
                          bytes.remove_prefix(next - position);
                          position = next;
                        }
                        if (position + bytes.size() > end) {
                          bytes = bytes.substr(0, end - position);
                        }
                        given += bytes.size();
                        next = position + bytes.size();
                        each(position, bytes);
                      });
    if (next < end) {
      break; // MAX_BYTES reached (or the store had less than the span)
    }
  }
  return next;
}

std::vector<store::Record> Server::collect(const std::string& name, std::uint64_t from,
                                           std::size_t max_bytes)
{
  std::vector<store::Record> out;
  visit(name, from, std::numeric_limits<std::uint64_t>::max(), max_bytes,
        [&out](std::uint64_t position, std::string_view bytes) {
          out.push_back(store::Record{position, std::string(bytes)});
        });
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
    net::Headers headers{{header::k_cursor, next_cursor(now_ms(), waiter->cursor)}};
    if (records.empty()) {
      // Closed at the tail: the end of the stream.
      headers.emplace_back(header::k_next_offset, format_offset(stream->meta.tail));
      headers.emplace_back(header::k_up_to_date, "true");
      if (stream->meta.closed) {
        headers.emplace_back(header::k_closed, "true");
      }
      reply(waiter->connection, 204, headers);
      continue;
    }
    const std::string body = join_records(records, stream->json());
    const std::uint64_t end = records.back().position + records.back().bytes.size();
    headers.emplace_back(header::k_next_offset, format_offset(end));
    if (end >= stream->meta.tail) {
      headers.emplace_back(header::k_up_to_date, "true");
      if (stream->meta.closed) {
        headers.emplace_back(header::k_closed, "true");
      }
    }
    headers.emplace_back("Content-Type", stream->meta.content_type);
    reply(waiter->connection, 200, headers, body);
  }
  auto readers = stream->readers;
  stream->readers.clear();
  SseCache cache;
  for (auto& reader : readers) {
    if (reader->pump(&cache)) {
      stream->readers.push_back(reader);
    }
  }
}

void Server::read(const net::HttpRequest& request,
                  const std::shared_ptr<net::Connection>& connection, const std::string& name)
{
  Stream* stream = find_or_answer(name, connection, true);
  if (stream == nullptr) {
    return;
  }
  const auto lives = query_values(request.query, query::k_live);
  const std::string live = lives.empty() ? "" : lives.front();
  if (!live.empty() && live != query::k_live_long_poll && live != query::k_live_sse) {
    fail(connection, 400, "live must be long-poll or sse");
    return;
  }
  const auto offsets = query_values(request.query, query::k_offset);
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
  const auto cursors = query_values(request.query, query::k_cursor);
  const std::optional<std::string> cursor =
    cursors.empty() ? std::nullopt : std::optional<std::string>(cursors.front());

  if (live == query::k_live_sse) {
    const bool binary = !is_text(meta.content_type);
    net::Headers headers = base_headers();
    headers.emplace_back("Content-Type", "text/event-stream");
    headers.emplace_back("Cache-Control", "no-cache");
    if (binary) {
      headers.emplace_back(header::k_sse_data_encoding, "base64");
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
                         {header::k_next_offset, format_offset(meta.tail)},
                         {header::k_up_to_date, "true"},
                         {"Cache-Control", "no-store"},
                         {"Cross-Origin-Resource-Policy", "cross-origin"}};
    if (meta.closed) {
      headers.emplace_back(header::k_closed, "true");
    }
    reply(connection, 200, headers, empty_body);
    return;
  }

  if (live == query::k_live_long_poll && from >= meta.tail) {
    if (meta.closed) {
      reply(connection, 204,
            {{header::k_next_offset, format_offset(meta.tail)},
             {header::k_up_to_date, "true"},
             {header::k_closed, "true"}});
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
            {{header::k_next_offset, format_offset(current->second->meta.tail)},
             {header::k_up_to_date, "true"},
             {header::k_cursor, next_cursor(now_ms(), self->cursor)}});
    });
    stream->waiters.push_back(std::move(waiter));
    return;
  }

  // Catch-up (or a long-poll with data waiting): everything up to the tail as it is now, in
  // one answer, since many readers make one request (curl scripts; the official client's
  // live: false). A big one is written in pieces as the connection takes them.
  const std::uint64_t end = meta.tail;
  const std::string tag = etag(name, from, end, meta.closed);
  net::Headers headers{{"Content-Type", meta.content_type},
                       {header::k_next_offset, format_offset(end)},
                       {header::k_up_to_date, "true"},
                       {"Cross-Origin-Resource-Policy", "cross-origin"}};
  if (meta.closed) {
    headers.emplace_back(header::k_closed, "true");
  }
  if (live == query::k_live_long_poll) {
    headers.emplace_back(header::k_cursor, next_cursor(now_ms(), cursor));
  } else {
    headers.emplace_back("ETag", tag);
    if (const std::string* match = request.header("if-none-match"); match && *match == tag) {
      reply(connection, 304, headers);
      return;
    }
  }
  auto body = std::make_shared<CatchUp>(*this, name, *stream, connection, from, end);
  if (end - from <= k_read_chunk) {
    const std::string whole = body->next_piece(k_read_chunk);
    if (body->failed()) {
      fail(connection, 500, "the store has less data than the stream");
      return;
    }
    reply(connection, 200, headers, whole);
    return;
  }
  net::Headers head = base_headers();
  head.insert(head.end(), headers.begin(), headers.end());
  connection->start_stream(200, head);
  body->pump();
}

} // namespace durable
