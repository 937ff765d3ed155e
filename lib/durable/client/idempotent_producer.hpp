#pragma once
// An idempotent producer (DIGEST.md §3.4, §5): each POST carries Producer-Id, -Epoch and -Seq,
// so a request retried after a lost reply is recognised by the server (204) and never written
// twice. One request at a time; the sequence moves on only once the server has the batch.

#include "durable/client/client.hpp"
#include "durable/protocol/producer_stamp.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace durable {

struct ProducerOptions {
  std::string id;
  std::uint64_t epoch = 0;
  bool claim = false;                    ///< on 403, take over with the server's epoch + 1
  std::optional<std::string> stream_seq; ///< Stream-Seq for every request (see IdempotentProducer::send)
  bool number_stream_seq = false;        ///< append ".NNNNNNNNNN" (the request number) to it
};

/// A host and process identity for a producer nobody named: "sse-HOST-PID".
std::string default_producer_id();

class IdempotentProducer {
public:
  /// CONTENT_TYPE goes on every POST with a body.
  IdempotentProducer(Client& client, ProducerOptions options, std::string content_type);

  /// Sends BODY (already encoded: a JSON array for JSON streams) as one request with the next
  /// sequence number, and Stream-Closed when CLOSE. An empty BODY with CLOSE is a close-only
  /// request. Returns the stream's next offset. Throws util::Error(http_status) for a refusal
  /// (see throw_status), util::Error(runtime) when retries are exhausted.
  WriteResult send(std::string_view body, bool close);

  std::uint64_t epoch() const { return m_stamp.epoch; }
  std::uint64_t seq() const { return m_stamp.seq; }
  /// Requests sent (each batch once, however often retried or re-sent after a claim).
  std::uint64_t requests() const { return m_requests; }
  /// Requests the server had already written (204 on a retry).
  std::uint64_t duplicates() const { return m_duplicates; }

private:
  Client& m_client;
  ProducerOptions m_options;
  std::string m_content_type;
  ProducerStamp m_stamp; ///< of the next request
  std::uint64_t m_requests = 0;
  std::uint64_t m_duplicates = 0;
};

} // namespace durable
