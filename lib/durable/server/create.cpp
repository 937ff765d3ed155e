// PUT: creating a stream, or a fork of one.

#include "durable/server/internal.hpp"

#include "util/error.hpp"

namespace durable {

void Server::create(const net::HttpRequest& request,
                    const std::shared_ptr<net::Connection>& connection, const std::string& name)
{
  store::StreamMeta meta;
  const std::string* type = request.header("content-type");
  meta.content_type = type != nullptr && !type->empty() ? *type : "";
  const std::string* ttl = request.header(header::lower(header::k_ttl));
  const std::string* expires = request.header(header::lower(header::k_expires_at));
  if (ttl != nullptr && expires != nullptr) {
    fail(connection, 400, std::string("give ") + header::k_ttl + " or " + header::k_expires_at + ", not both");
    return;
  }
  if (ttl != nullptr) {
    meta.ttl_seconds = parse_ttl(*ttl);
    if (!meta.ttl_seconds) {
      fail(connection, 400, std::string(header::k_ttl) + " must be a whole number of seconds");
      return;
    }
  }
  if (expires != nullptr) {
    meta.expires_at_ms = parse_timestamp(*expires);
    if (!meta.expires_at_ms) {
      fail(connection, 400, std::string(header::k_expires_at) + " must be an RFC 3339 timestamp");
      return;
    }
    meta.expires_at = *expires;
  }
  meta.closed = is_true(request.header(header::lower(header::k_closed)));

  // A fork: the source's data up to the fork offset, then its own.
  const std::string* forked_from = request.header(header::lower(header::k_forked_from));
  const std::string* fork_offset = request.header(header::lower(header::k_fork_offset));
  const std::string* sub_offset = request.header(header::lower(header::k_fork_sub_offset));
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
    if (found == Found::damaged) {
      fail(connection, 500, "the fork's source stream " + m_damaged.at(*source_name));
      return;
    }
  } else if (sub_offset != nullptr || fork_offset != nullptr) {
    fail(connection, 400, std::string(header::k_fork_offset) + " and " + header::k_fork_sub_offset + " need " + header::k_forked_from);
    return;
  }
  if (source != nullptr) {
    std::uint64_t at = source->meta.tail;
    if (fork_offset != nullptr) {
      const auto parsed = parse_offset(*fork_offset);
      if (!parsed || parsed->kind == OffsetRequest::Kind::now) {
        fail(connection, 400, std::string(header::k_fork_offset) + " is not an offset");
        return;
      }
      at = parsed->kind == OffsetRequest::Kind::start ? 0 : parsed->position;
      if (at > source->meta.tail) {
        fail(connection, 400, std::string(header::k_fork_offset) + " is past the source's tail");
        return;
      }
    }
    if (sub_offset != nullptr) {
      const auto sub = parse_counter(*sub_offset);
      if (!sub) {
        fail(connection, 400, std::string(header::k_fork_sub_offset) + " must be a whole number");
        return;
      }
      if (*sub > 0 && fork_offset == nullptr) {
        fail(connection, 400, std::string(header::k_fork_sub_offset) + " needs " + header::k_fork_offset);
        return;
      }
      if (source->meta.tail == 0) {
        fail(connection, 400, std::string(header::k_fork_sub_offset) + " on an empty source");
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
          fail(connection, 400, std::string(header::k_fork_sub_offset) + " is past the source's tail");
          return;
        }
        at = position;
      } else {
        if (*sub > source->meta.tail - at) {
          fail(connection, 400, std::string(header::k_fork_sub_offset) + " is past the source's tail");
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
  if (found == Found::damaged) {
    fail(connection, 500, "the stream " + m_damaged.at(name));
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
                         {header::k_next_offset, format_offset(old.tail)}};
    if (old.closed) {
      headers.emplace_back(header::k_closed, "true");
    }
    reply(connection, 200, headers);
    return;
  }

  std::vector<std::string> records;
  if (!request.body.empty()) {
    if (is_json(meta.content_type)) {
      try {
        records = json_messages(request.body);
      } catch (const util::Error& e) {
        fail(connection, 400, std::string("the body is not valid JSON: ") + e.what());
        return;
      }
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
                   m_loop.run_or_post([this, alive, name, meta, connection, location, error]() {
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
                                          {header::k_next_offset, format_offset(meta.tail)},
                                          {"Location", location}};
                     if (meta.closed) {
                       headers.emplace_back(header::k_closed, "true");
                     }
                     reply(connection, 201, headers);
                     run_writes(name);
                   });
                 });
}

} // namespace durable
