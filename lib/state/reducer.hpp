#pragma once
// Folds stream-state events into one JSON state (DESIGN.md §6). Three vocabularies:
//   custom state   json_snapshot/snapshot (state := payload), json_patch/patch (RFC 6902,
//                  atomic), merge_patch/merge (RFC 7396);
//   keyed          replace (array of items), add (item or array; an existing key is updated
//                  in place), remove (key or array of keys), clear; the state is the array of
//                  items in order, each item's key at a JSON pointer (--key);
//   durable        Durable State protocol messages {"type","key","value","headers":
//                  {"operation": insert|update|upsert|delete}} and {"headers": {"control":
//                  snapshot-start|snapshot-end|reset}}, or an array of them, materialized as
//                  {TYPE: {KEY: VALUE}} exactly as @durable-streams/state's MaterializedState;
// plus `error` (the stream reports a failure) and `reconnect` in every mode.
// The op is the SSE event type or, for type `message` with data {"type": OP, "data": PAYLOAD},
// the envelope's type. Every event applies atomically: on failure the state is unchanged.

#include "json/patch.hpp"

#include "json/value_type.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace state {

enum class Mode {
  detect,  ///< decided by the first event that belongs to one vocabulary, then kept
  custom,
  keyed,
  durable,
};

/// The names --apply accepts, in the order of Mode.
inline constexpr const char* k_mode_names[] = {"auto", "custom", "keyed", "durable"};

/// The mode named NAME; throws util::Error(usage) for an unknown name.
Mode mode_from_name(std::string_view name);
const char* mode_name(Mode mode);

/// The default of ReducerOptions::max_state: 256MiB.
inline constexpr std::uint64_t k_default_max_state = 256ULL << 20;

struct ReducerOptions {
  Mode mode = Mode::detect;
  /// Keyed mode: the JSON pointer of each item's key ("/id"); a string or an integer there.
  std::string key = "/id";
  /// The state before the first event; empty means the mode's empty state ({} or []).
  std::optional<::json::Value> initial;
  /// Whether apply() reports the pointers it changed (for a view that highlights them).
  bool track_changes = false;
  /// The largest the state may grow, about its length as compact JSON (json::size_of). An
  /// event is refused when the state's size plus the event's data size would pass it (a
  /// snapshot or a keyed replace: the data alone), and a patch's copies are counted too.
  std::uint64_t max_state = k_default_max_state;
};

/// What one event did.
struct Outcome {
  enum class Kind {
    applied,   ///< the state was updated (it may be equal to what it was)
    ignored,   ///< not a state event (another event type, a non-envelope message)
    error,     ///< an `error` event: the stream reports a failure; `message` says what
    reconnect, ///< a `reconnect` event: the client should reconnect; the state is unchanged
  };
  Kind kind = Kind::ignored;
  std::string op;        ///< the op the event was read as ("patch", "insert", ...)
  std::string message;   ///< for error: the stream's message
  /// With track_changes: where the state changed.
  json::Changes changes;
};

/// The event payload: the data text of an SSE event, or a JSON value already parsed (NDJSON
/// input that embeds data as JSON).
struct Payload {
  std::string_view text;
  ::json::Value* value = nullptr; ///< when set, used instead of text, and may be moved from
};

class Reducer {
public:
  /// Throws util::Error(bad_input) when the initial state does not suit a forced mode.
  explicit Reducer(ReducerOptions options);

  /// Applies one event of type TYPE. Throws util::Error(bad_input) naming the operation (and
  /// for a JSON patch json::PatchError with its index and pointer); the state is then exactly
  /// as it was before the call. No event makes the state deeper than json::k_max_depth or
  /// larger than max_state: one that would fails so.
  Outcome apply(std::string_view type, const Payload& data);

  const ::json::Value& state() const noexcept { return m_state; }
  Mode mode() const noexcept { return m_mode; }

private:
  struct Op;
  Outcome apply_custom(const std::string& op, ::json::Value&& payload, Outcome outcome);
  Outcome apply_keyed(const std::string& op, ::json::Value&& payload, Outcome outcome);
  Outcome apply_durable(::json::Value&& payload, Outcome outcome);
  void enter(Mode mode, const std::string& op);
  std::string key_of(const ::json::Value& item, std::size_t position) const;
  void reserve(std::uint64_t growth, bool replaces_state);
  void rebuild_index(const ::json::Value& items, const char* what);

  ReducerOptions m_options;
  Mode m_mode = Mode::detect;
  ::json::Value m_state;
  /// Custom mode: where the root's members are, across patches (see json::RootIndex).
  ::json::RootIndex m_root_index;
  /// Custom mode: the operations of the patch being applied, reused from event to event.
  ::json::ParsedPatch m_patch;
  /// About the state's size (json::size_of), never less: what each event could have added is
  /// added, and it is measured again when it reaches max_state.
  std::uint64_t m_size = 0;
  /// The bound of the patch being applied (see json::SizeBudget).
  ::json::SizeBudget m_budget;
  /// Keyed mode: the position of each key in the array; keys are "s" + string or "i" + digits.
  std::unordered_map<std::string, std::size_t> m_index;
};

} // namespace state
