#include "durable/client/idempotent_producer.hpp"

#include "durable/protocol/headers.hpp"
#include "durable/protocol/rules.hpp"
#include "http/describe.hpp"
#include "util/error.hpp"

#include <cstdio>
#include <unistd.h>

namespace durable {

std::string default_producer_id()
{
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof host, "localhost");
  }
  return "sse-" + std::string(host) + "-" + std::to_string(::getpid());
}

IdempotentProducer::IdempotentProducer(Client& client, ProducerOptions options, std::string content_type)
  : m_client(client), m_options(std::move(options)), m_content_type(std::move(content_type)),
    m_stamp{m_options.id, m_options.epoch, 0}
{
}

WriteResult IdempotentProducer::send(std::string_view body, bool close)
{
  std::optional<std::string> stream_seq = m_options.stream_seq;
  if (stream_seq && m_options.number_stream_seq) {
    char number[16];
    std::snprintf(number, sizeof number, ".%010llu", static_cast<unsigned long long>(m_requests));
    *stream_seq += number;
  }
  ++m_requests;
  for (bool claimed = false;;) {
    http::Headers headers = m_stamp.headers();
    if (!body.empty()) {
      headers.emplace_back("Content-Type", m_content_type);
    }
    if (close) {
      headers.emplace_back(header::k_closed, "true");
    }
    if (stream_seq) {
      headers.emplace_back(header::k_seq, *stream_seq);
    }
    const std::uint64_t retries_before = m_client.retries();
    const Reply reply = m_client.send("POST", headers, std::string(body));
    const bool retried = m_client.retries() != retries_before;
    // 204 to data we sent once: this (epoch, seq) was used before, by an earlier run with the
    // same --producer and --epoch. Nothing of this batch was written; a claim starts a new
    // epoch, anything else would lose the batch silently.
    if (reply.status == 204 && !body.empty() && !retried) {
      if (m_options.claim && !claimed) {
        ++m_stamp.epoch;
        m_stamp.seq = 0;
        claimed = true;
        continue;
      }
      throw util::Error(util::Errc::http_status,
                        "the server already has seq " + std::to_string(m_stamp.seq) + " of producer '"
                          + m_options.id + "' at epoch " + std::to_string(m_stamp.epoch)
                          + " from an earlier writer; nothing was written",
                        m_client.url(), {util::Setting::epoch});
    }
    if (reply.status == 403 && m_options.claim && !claimed) {
      const auto server_epoch = parse_counter(reply.header(header::k_producer_epoch).value_or(""));
      if (server_epoch) {
        m_stamp.epoch = *server_epoch + 1;
        m_stamp.seq = 0;
        claimed = true;
        continue;
      }
    }
    if (reply.status == 413) {
      // Never retried: the same body would be refused again. Its size is what to change.
      const std::string said = http::excerpt(reply.body);
      throw HttpError(413,
                      "cannot append to the stream: " + http::status_text(reply.status, reply.reason)
                        + " (a request body of " + std::to_string(body.size())
                        + " bytes is larger than the server accepts)" + (said.empty() ? "" : ": " + said),
                      m_client.url());
    }
    if (reply.status != 200 && reply.status != 204) {
      throw_status(reply, close && body.empty() ? "close" : "append to", m_client.url());
    }
    // 204 to a retried request with data: its first attempt arrived. A close-only request is
    // answered 204 either way.
    if (reply.status == 204 && !body.empty()) {
      ++m_duplicates;
    }
    ++m_stamp.seq;
    WriteResult result;
    result.next_offset = reply.header(header::k_next_offset).value_or("");
    result.closed = reply.closed();
    return result;
  }
}

} // namespace durable
