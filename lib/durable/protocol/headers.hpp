#pragma once
// The names the Durable Streams protocol puts on the wire (DIGEST.md §3): headers, query
// parameters, SSE event types and control-event fields. Each is spelled here once.

#include <cstddef>
#include <string_view>

namespace durable {

namespace header {
inline constexpr char k_next_offset[] = "Stream-Next-Offset";
inline constexpr char k_cursor[] = "Stream-Cursor";
inline constexpr char k_up_to_date[] = "Stream-Up-To-Date";
inline constexpr char k_closed[] = "Stream-Closed";
inline constexpr char k_ttl[] = "Stream-TTL";
inline constexpr char k_expires_at[] = "Stream-Expires-At";
inline constexpr char k_seq[] = "Stream-Seq";
inline constexpr char k_sse_data_encoding[] = "Stream-SSE-Data-Encoding";
inline constexpr char k_forked_from[] = "Stream-Forked-From";
inline constexpr char k_fork_offset[] = "Stream-Fork-Offset";
inline constexpr char k_fork_sub_offset[] = "Stream-Fork-Sub-Offset";
inline constexpr char k_producer_id[] = "Producer-Id";
inline constexpr char k_producer_epoch[] = "Producer-Epoch";
inline constexpr char k_producer_seq[] = "Producer-Seq";
inline constexpr char k_producer_expected_seq[] = "Producer-Expected-Seq";
inline constexpr char k_producer_received_seq[] = "Producer-Received-Seq";
} // namespace header

namespace query {
inline constexpr char k_offset[] = "offset";
inline constexpr char k_live[] = "live";
inline constexpr char k_cursor[] = "cursor";
/// The values of live=.
inline constexpr char k_live_sse[] = "sse";
inline constexpr char k_live_long_poll[] = "long-poll";
/// The offsets that are not positions: the start of the stream, and its tail at the request.
inline constexpr char k_offset_start[] = "-1";
inline constexpr char k_offset_now[] = "now";
} // namespace query

/// The SSE event types of a live SSE read, and the fields of its control events.
namespace sse_field {
inline constexpr char k_data_event[] = "data";
inline constexpr char k_control_event[] = "control";
inline constexpr char k_next_offset[] = "streamNextOffset";
inline constexpr char k_cursor[] = "streamCursor";
inline constexpr char k_up_to_date[] = "upToDate";
inline constexpr char k_closed[] = "streamClosed";
} // namespace sse_field

namespace header {

/// A header name in lower case, made without allocating: net::HttpRequest keeps a request's
/// header names in lower case, so the server looks them up with lower(k_...).
template <std::size_t N>
class LowerName {
public:
  constexpr explicit LowerName(const char (&name)[N])
  {
    for (std::size_t i = 0; i < N; ++i) {
      const char c = name[i];
      m_text[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  constexpr operator std::string_view() const { return {m_text, N - 1}; }

private:
  char m_text[N] = {};
};

template <std::size_t N>
constexpr LowerName<N> lower(const char (&name)[N])
{
  return LowerName<N>(name);
}

} // namespace header

} // namespace durable
