#pragma once
// The small rules of the Durable Streams wire format (DIGEST.md §1, §3): header values, media
// types, TTL and timestamps, cursors, SSE payload encodings.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace durable {

/// The media type of a Content-Type value: lower case, without parameters.
std::string media_type(std::string_view content_type);
bool is_json(std::string_view content_type);
/// text/* and JSON go over SSE as text; anything else as base64.
bool is_text(std::string_view content_type);

/// A Stream-TTL value: "0" or digits without a leading zero; nullopt otherwise.
std::optional<std::uint64_t> parse_ttl(std::string_view text);
/// An RFC 3339 timestamp ("2026-01-01T00:00:00Z", "...+02:00", fractions allowed) as ms since
/// the Unix epoch; nullopt when malformed.
std::optional<std::int64_t> parse_timestamp(std::string_view text);
/// A Producer-Epoch or Producer-Seq: plain decimal digits up to 2^53-1.
std::optional<std::uint64_t> parse_counter(std::string_view text);
/// "true" in any case.
bool is_true(const std::string* value);

/// The cursor for a live response (DIGEST.md §3.13): 20-second intervals since
/// 2024-10-09T00:00:00Z, moved past the client's own CURSOR when that is not behind.
std::string next_cursor(std::int64_t now_ms, const std::optional<std::string>& client_cursor);

/// RFC 4648 base64 with padding.
std::string base64(std::string_view bytes);
/// Decodes padded RFC 4648 base64, skipping CR and LF (a payload split over data: lines);
/// nullopt when it is not base64.
std::optional<std::string> decode_base64(std::string_view text);

/// The messages of a JSON body: one level of a top-level array flattened, each message
/// re-serialized compactly; an empty vector for `[]`. Throws util::Error(bad_input) as
/// json::parse_value does for invalid JSON or JSON nested deeper than json::k_max_depth.
std::vector<std::string> json_messages(std::string_view body);

/// An SSE event of TYPE with PAYLOAD split into data: lines at CR, LF and CRLF (no space after
/// the colon, as the suite checks), so no payload can inject a field.
std::string sse_event(std::string_view type, std::string_view payload);

} // namespace durable
