#pragma once
// The event value types shared by the parser, the formatter and the NDJSON codec.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sse {

/// The event type an event gets when its block sets none.
inline constexpr std::string_view k_default_type = "message";

/// A dispatched event, borrowed: the views stay valid until the parser is fed again.
struct EventView {
  std::string_view type;            ///< never empty: "message" unless the block set one
  std::string_view data;            ///< the data buffer without its final LF
  std::string_view id;              ///< the last event ID at dispatch; empty when unset
  std::optional<std::uint64_t> retry; ///< a valid retry: field in this event's block
  std::string_view raw;             ///< the bytes since the previous event (when kept)
};

/// An event that owns its fields.
struct Event {
  std::string type{k_default_type};
  std::string data;
  std::string id;
  std::optional<std::uint64_t> retry;

  EventView view() const { return {type, data, id, retry, {}}; }
  bool operator==(const Event&) const = default;
};

inline Event to_event(const EventView& view)
{
  return {std::string(view.type), std::string(view.data), std::string(view.id), view.retry};
}

} // namespace sse
