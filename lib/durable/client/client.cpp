#include "durable/client/client.hpp"

#include "durable/protocol/headers.hpp"
#include "durable/protocol/rules.hpp"
#include "http/describe.hpp"
#include "http/request_check.hpp"
#include "http/retry.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <random>

namespace durable {
namespace {

// Collects one whole response; bodies of write replies and errors are small, but a misbehaving
// server must not make us hold an unbounded one.
class ReplyCollector : public http::ResponseHandler {
public:
  static constexpr std::size_t k_limit = 1 << 20;

  bool on_head(const http::ResponseHead& head) override
  {
    m_reply.status = head.status;
    m_reply.reason = head.reason;
    m_reply.headers = head.headers;
    return true;
  }
  bool on_body(std::string_view bytes) override
  {
    m_reply.body.append(bytes.substr(0, k_limit - std::min(k_limit, m_reply.body.size())));
    return true;
  }
  Reply& reply() { return m_reply; }

private:
  Reply m_reply;
};

bool name_character(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
         || c == '.' || c == ':' || c == '/' || c == '-';
}

} // namespace

bool Reply::closed() const
{
  const auto value = header(header::k_closed);
  return is_true(value ? &*value : nullptr);
}

bool is_stream_name(std::string_view target)
{
  return target.find("://") == std::string_view::npos;
}

std::string resolve_stream_url(const std::string& target, const std::string& base)
{
  if (!is_stream_name(target)) {
    return target;
  }
  if (target.empty() || target.size() > 256
      || !std::all_of(target.begin(), target.end(), name_character)) {
    throw util::Error(util::Errc::usage,
                      "'" + target + "' is neither an http(s) URL nor a stream name (1-256 of "
                      "A-Z a-z 0-9 _ . : / -)");
  }
  std::string joined = base;
  while (!joined.empty() && joined.back() == '/') {
    joined.pop_back();
  }
  std::string_view name = target;
  while (!name.empty() && name.front() == '/') {
    name.remove_prefix(1);
  }
  return joined + "/" + std::string(name);
}

bool is_retryable_status(int status)
{
  return status == 429 || status >= 500;
}

Client::Client(http::Transport& transport, http::Request base, RetryPolicy retry)
  : m_transport(transport), m_base(std::move(base)), m_retry(retry),
    m_seed(retry.seed != 0 ? retry.seed : std::random_device{}())
{
}

void Client::interrupt()
{
  m_wait.interrupt();
  m_transport.cancel();
}

Reply Client::send(const std::string& method, const http::Headers& extra,
                   std::optional<std::string> body)
{
  http::Request request = m_base;
  request.method = method;
  for (const auto& header : extra) {
    request.headers.push_back(header);
  }
  request.body = std::move(body);
  http::Backoff backoff(m_retry.initial, m_retry.cap, m_seed++);
  const auto cancelled = [&] { return util::Error(util::Errc::runtime, "cancelled", request.url.str()); };
  for (std::uint32_t attempt = 0;; ++attempt) {
    if (m_wait.interrupted()) {
      throw cancelled();
    }
    if (on_request) {
      on_request(request);
    }
    ReplyCollector collector;
    const auto result = m_transport.send(request, collector);
    m_transport.clear_cancel();
    http::throw_if_unrecoverable(result, request.url.str());
    std::string why;
    std::optional<std::chrono::milliseconds> floor;
    if (result.outcome == http::TransferResult::Outcome::completed
        || (result.outcome == http::TransferResult::Outcome::stopped && collector.reply().status > 0)) {
      Reply& reply = collector.reply();
      if (on_reply) {
        on_reply(reply);
      }
      if (!is_retryable_status(reply.status)) {
        return std::move(reply);
      }
      why = http::status_text(reply.status, reply.reason);
      floor = http::retry_after(reply.headers);
    } else if (result.outcome == http::TransferResult::Outcome::cancelled || m_wait.interrupted()) {
      throw cancelled();
    } else {
      why = result.message.empty() ? "connection failed" : result.message;
    }
    if (attempt >= m_retry.max_retries) {
      throw util::Error(util::Errc::runtime,
                        "giving up after " + std::to_string(attempt) + " retries: " + why,
                        request.url.str(), {util::Setting::max_retries});
    }
    const auto wait = backoff.wait(attempt, floor);
    ++m_retries;
    if (on_retry) {
      on_retry(why, wait);
    }
    if (m_wait.wait(wait) == http::InterruptibleWait::End::interrupted) {
      throw cancelled();
    }
  }
}

StreamInfo Client::info()
{
  const Reply reply = send("HEAD", {}, std::nullopt);
  if (reply.status < 200 || reply.status > 299) {
    throw_status(reply, "read the metadata of", url());
  }
  StreamInfo info;
  info.content_type = reply.header("Content-Type").value_or("application/octet-stream");
  info.next_offset = reply.header(header::k_next_offset).value_or("");
  info.closed = reply.closed();
  info.ttl = reply.header(header::k_ttl);
  info.expires_at = reply.header(header::k_expires_at);
  info.etag = reply.header("ETag");
  if (info.next_offset.empty()) {
    throw util::Error(util::Errc::bad_input,
                      std::string("not a Durable Streams stream: HEAD has no ") + header::k_next_offset, url());
  }
  return info;
}

WriteResult Client::create(const CreateRequest& create)
{
  http::Headers headers{{"Content-Type", create.content_type}};
  if (create.ttl) {
    headers.emplace_back(header::k_ttl, *create.ttl);
  }
  if (create.expires_at) {
    headers.emplace_back(header::k_expires_at, *create.expires_at);
  }
  if (create.closed) {
    headers.emplace_back(header::k_closed, "true");
  }
  const Reply reply = send("PUT", headers, create.body);
  if (reply.status != 200 && reply.status != 201) {
    throw_status(reply, "create", url());
  }
  WriteResult result;
  result.next_offset = reply.header(header::k_next_offset).value_or("");
  result.closed = reply.closed();
  result.created = reply.status == 201;
  result.content_type = reply.header("Content-Type").value_or(create.content_type);
  return result;
}

WriteResult Client::close()
{
  const Reply reply = send("POST", {{header::k_closed, "true"}}, std::string());
  if (reply.status < 200 || reply.status > 299) {
    throw_status(reply, "close", url());
  }
  WriteResult result;
  result.next_offset = reply.header(header::k_next_offset).value_or("");
  result.closed = true;
  return result;
}

void Client::remove()
{
  const std::uint64_t retries_before = m_retries;
  const Reply reply = send("DELETE", {}, std::nullopt);
  if (reply.status == 404 && m_retries > retries_before) {
    return;
  }
  if (reply.status < 200 || reply.status > 299) {
    throw_status(reply, "delete", url());
  }
}

void throw_status(const Reply& reply, std::string_view action, const std::string& url)
{
  std::string message = "cannot " + std::string(action) + " the stream: "
                        + http::status_text(reply.status, reply.reason);
  std::string reason;
  util::Setting setting = util::Setting::none; // what the user may change about it
  if (reply.status == 404) {
    reason = "no such stream";
  } else if (reply.status == 410) {
    reason = "the stream was deleted (it still has forks) or its data expired";
  } else if (reply.status == 413) {
    reason = "the request body is larger than the server accepts";
  } else if (reply.status == 403 && reply.header(header::k_producer_epoch)) {
    reason = "the producer's epoch is stale: the server is at epoch " + *reply.header(header::k_producer_epoch);
    setting = util::Setting::claim;
  } else if (reply.status == 409) {
    if (const auto expected = reply.header(header::k_producer_expected_seq)) {
      reason = "producer sequence gap: the server expected " + *expected + ", got "
               + reply.header(header::k_producer_received_seq).value_or("?");
    setting = util::Setting::producer;
    } else if (reply.closed()) {
      reason = "the stream is closed";
      if (const auto offset = reply.header(header::k_next_offset)) {
        reason += " at offset " + *offset;
      }
    } else if (action == "create") {
      reason = "the stream exists with another configuration (content type, TTL, expiry or "
               "closed state), or was deleted while it has forks";
    } else {
      reason = std::string("content type mismatch or ") + header::k_seq + " not above the last one";
    }
  }
  if (!reason.empty()) {
    message += " (" + reason + ")";
  }
  const std::string body = http::excerpt(reply.body);
  // Quote the body unless it only says what the headers already told.
  if (!body.empty() && util::to_lower(reason).find(util::to_lower(body)) == std::string::npos) {
    message += ": " + body;
  }
  throw HttpError(reply.status, message, url, {setting});
}

} // namespace durable
