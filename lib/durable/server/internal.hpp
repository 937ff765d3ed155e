#pragma once
// What the files of the Durable Streams server share (not part of the library's interface):
// the response helpers and the in-memory state of a stream.

#include "durable/protocol/headers.hpp"
#include "durable/protocol/offset.hpp"
#include "durable/protocol/producer_stamp.hpp"
#include "durable/protocol/rules.hpp"
#include "durable/server/server.hpp"
#include "net/query_string.hpp"

#include <algorithm>
#include <functional>
#include <deque>
#include <memory>

namespace durable {

inline constexpr std::size_t k_read_chunk = 1024 * 1024;
/// A catch-up answer bigger than k_read_chunk is written in pieces of about this size, while
/// less than k_catchup_queue is queued on its connection: its memory stays bounded.
inline constexpr std::size_t k_catchup_piece = 256 * 1024;
inline constexpr std::size_t k_catchup_queue = 1024 * 1024;
inline constexpr std::size_t k_sse_queue_limit = 1024 * 1024;
inline constexpr const char* k_default_type = "application/octet-stream";
/// The response headers of the protocol that a page may read.
inline const std::string k_expose =
  std::string(header::k_next_offset) + ", " + header::k_cursor + ", " + header::k_up_to_date + ", "
  + header::k_closed + ", " + header::k_ttl + ", " + header::k_expires_at + ", "
  + header::k_sse_data_encoding + ", ETag, Location, " + header::k_producer_epoch + ", "
  + header::k_producer_seq + ", " + header::k_producer_expected_seq + ", "
  + header::k_producer_received_seq;

inline std::int64_t now_ms()
{
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// Records as a response body: concatenated, or for JSON one array of the messages.
inline std::string join_records(const std::vector<store::Record>& records, bool json)
{
  std::string body;
  std::size_t size = 2;
  for (const auto& record : records) {
    size += record.bytes.size() + 1;
  }
  body.reserve(size);
  if (json) {
    body += '[';
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (json && i > 0) {
      body += ',';
    }
    body += records[i].bytes;
  }
  if (json) {
    body += ']';
  }
  return body;
}

inline std::string etag(const std::string& name, std::uint64_t start, std::uint64_t end, bool closed)
{
  return "\"" + std::to_string(std::hash<std::string>{}(name)) + ":" + std::to_string(start) +
         ":" + std::to_string(end) + (closed ? ":c" : "") + "\"";
}

/// The stream name in PATH under PREFIX, decoded; nullopt when it is not one, or could escape.
inline std::optional<std::string> stream_name(const std::string& path, const std::string& prefix)
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

/// Every value of query parameter NAME, a malformed one as a value no parameter accepts.
inline std::vector<std::string> query_values(const std::string& query, std::string_view name)
{
  std::vector<std::string> values;
  for (auto& value : net::query_values(query, name)) {
    values.push_back(value ? std::move(*value) : std::string("\x01"));
  }
  return values;
}



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
  /// Expires with the stream: an answer that outlives the request (a catch-up written in
  /// pieces) checks it, and so never reads a re-created stream of the same name.
  std::shared_ptr<const bool> life = std::make_shared<const bool>(true);
  bool json() const { return is_json(meta.content_type); }
};

} // namespace durable
