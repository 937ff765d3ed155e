#include "state/reducer.hpp"

#include "json/patch.hpp"
#include "json/pointer.hpp"
#include "json/value.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace state {
namespace {

using json = ::json::Value;

util::Error bad(const std::string& what, util::Setting setting = util::Setting::none)
{
  return util::Error(util::Errc::bad_input, what, {}, {setting});
}

std::string in_quotes(std::string_view text)
{
  return "\"" + std::string(text) + "\"";
}

// As json::kind_of, but keys care whether a number is whole.
const char* kind_of(const json& value)
{
  return value.is_number_float() ? "a fractional number" : ::json::kind_of(value);
}

// Whether OP is the custom op NAME or its json_ form ("snapshot", "json_snapshot").
bool op_is(std::string_view op, std::string_view name)
{
  return op == name || (op.size() == name.size() + 5 && op.substr(0, 5) == "json_"
                        && op.substr(5) == name);
}

// Whether OP is one of NAMES. This runs for every event; comparing string_views compares their
// lengths first, so most names cost one comparison of sizes.
bool is_one_of(std::string_view op, std::initializer_list<std::string_view> names)
{
  return std::find(names.begin(), names.end(), op) != names.end();
}

bool is_custom_op(std::string_view op)
{
  return is_one_of(op, {"patch", "merge", "snapshot", "json_patch", "merge_patch", "json_snapshot"});
}

bool is_keyed_op(std::string_view op)
{
  return is_one_of(op, {"add", "clear", "remove", "replace"});
}

// A Durable State message: an object whose "headers" is an object with "operation" or
// "control" (@durable-streams/state tells change from control messages the same way).
bool is_durable_message(const json& value)
{
  if (!value.is_object()) {
    return false;
  }
  const auto headers = value.find("headers");
  return headers != value.end() && headers->is_object()
         && (headers->contains("operation") || headers->contains("control"));
}

bool is_durable_payload(const json& value)
{
  if (value.is_array()) {
    return !value.empty() && std::all_of(value.begin(), value.end(), is_durable_message);
  }
  return is_durable_message(value);
}

// Checks one Durable State message; returns a message naming the problem, or empty.
std::string durable_problem(const json& message)
{
  const json& headers = message.at("headers");
  if (const auto operation = headers.find("operation"); operation != headers.end()) {
    if (!operation->is_string()) {
      return "headers.operation is " + std::string(kind_of(*operation)) + ", not a string";
    }
    const auto& name = operation->get_ref<const std::string&>();
    if (name != "insert" && name != "update" && name != "upsert" && name != "delete") {
      return "unknown headers.operation " + in_quotes(name)
             + " (expected insert, update, upsert or delete)";
    }
    for (const char* field : {"type", "key"}) {
      const auto it = message.find(field);
      if (it == message.end()) {
        return name + " without \"" + field + "\"";
      }
      if (!it->is_string()) {
        return std::string("\"") + field + "\" is " + kind_of(*it) + ", not a string";
      }
    }
    if (name != "delete" && !message.contains("value")) {
      return name + " without \"value\"";
    }
    // A value sits at {TYPE: {KEY: VALUE}} in the state.
    if (const auto value = message.find("value");
        value != message.end()
        && ::json::depth_of(*value, ::json::k_max_depth - 2) > ::json::k_max_depth - 2) {
      return "the value would be " + ::json::too_deep() + " in the state";
    }
    return {};
  }
  const json& control = headers.at("control");
  if (!control.is_string()) {
    return "headers.control is " + std::string(kind_of(control)) + ", not a string";
  }
  const auto& name = control.get_ref<const std::string&>();
  if (name != "snapshot-start" && name != "snapshot-end" && name != "reset") {
    return "unknown headers.control " + in_quotes(name)
           + " (expected snapshot-start, snapshot-end or reset)";
  }
  return {};
}

// The text an `error` event carries: a JSON string, an object's "message", or the data as is.
std::string error_message(std::string_view text, const json* value)
{
  if (value != nullptr) {
    if (value->is_string()) {
      return value->get<std::string>();
    }
    if (value->is_object()) {
      const auto it = value->find("message");
      if (it != value->end() && it->is_string()) {
        return it->get<std::string>();
      }
    }
    return value->dump();
  }
  return std::string(text);
}

} // namespace

Mode mode_from_name(std::string_view name)
{
  for (std::size_t i = 0; i < std::size(k_mode_names); ++i) {
    if (name == k_mode_names[i]) {
      return static_cast<Mode>(i);
    }
  }
  throw util::Error(util::Errc::usage, "unknown state mode " + in_quotes(name));
}

const char* mode_name(Mode mode)
{
  return k_mode_names[static_cast<std::size_t>(mode)];
}

Reducer::Reducer(ReducerOptions options) : m_options(std::move(options))
{
  if (auto problem = ::json::pointer_problem(m_options.key); !problem.empty()) {
    throw util::Error(util::Errc::usage, "the key " + in_quotes(m_options.key) + " is not a JSON "
                                           "pointer: " + problem);
  }
  m_state = m_options.initial ? *m_options.initial : json::object();
  m_size = ::json::size_of(m_state);
  if (m_size > m_options.max_state) {
    throw bad("the initial state is larger than the size limit of "
              + util::format_size(m_options.max_state));
  }
  if (m_options.mode != Mode::detect) {
    enter(m_options.mode, {});
  }
}

void Reducer::enter(Mode mode, const std::string& op)
{
  (void)op;
  m_mode = mode;
  m_root_index.clear();
  if (!m_options.initial) {
    m_state = mode == Mode::keyed ? json::array() : json::object();
    m_size = 2;
    return;
  }
  switch (mode) {
  case Mode::keyed:
    if (!m_state.is_array()) {
      throw bad(std::string("the initial state of a keyed collection must be an array of items, "
                            "not ")
                + kind_of(m_state));
    }
    rebuild_index(m_state, "the initial state");
    return;
  case Mode::durable:
    if (!m_state.is_object()) {
      throw bad(std::string("the initial state of Durable State must be an object "
                            "{TYPE: {KEY: VALUE}}, not ")
                + kind_of(m_state));
    }
    for (const auto& [type, values] : m_state.items()) {
      if (!values.is_object()) {
        throw bad("the initial state of Durable State must be an object {TYPE: {KEY: VALUE}}, "
                  "but " + in_quotes(type) + " is " + kind_of(values));
      }
    }
    return;
  default:
    return;
  }
}

std::string Reducer::key_of(const json& item, std::size_t position) const
{
  const json* key = ::json::find_pointer(item, m_options.key);
  if (key == nullptr) {
    throw bad("item " + std::to_string(position) + " has no key at " + m_options.key);
  }
  if (key->is_string()) {
    return "s" + key->get_ref<const std::string&>();
  }
  if (key->is_number_unsigned()) {
    return "i" + std::to_string(key->get<std::uint64_t>());
  }
  if (key->is_number_integer()) {
    return "i" + std::to_string(key->get<std::int64_t>());
  }
  throw bad("the key at " + m_options.key + " of item " + std::to_string(position) + " is "
            + kind_of(*key) + ", not a string or an integer");
}

void Reducer::rebuild_index(const json& items, const char* what)
{
  std::unordered_map<std::string, std::size_t> index;
  const auto& array = items.get_ref<const json::array_t&>();
  for (std::size_t i = 0; i < array.size(); ++i) {
    std::string key;
    try {
      key = key_of(array[i], i);
    } catch (const util::Error& e) {
      throw bad(std::string(what) + ": " + e.what());
    }
    if (!index.emplace(std::move(key), i).second) {
      throw bad(std::string(what) + ": item " + std::to_string(i) + " repeats the key of an "
                "earlier item");
    }
  }
  m_index = std::move(index);
}

Outcome Reducer::apply(std::string_view type, const Payload& data)
{
  Outcome outcome;
  outcome.op.assign(type);
  // The payload as JSON, parsed at most once and only when an op needs it.
  std::optional<json> parsed;
  std::string parse_error;
  auto parse = [&]() -> bool {
    if (parsed) {
      return true;
    }
    if (!parse_error.empty()) {
      return false;
    }
    if (data.value != nullptr) {
      parsed = std::move(*data.value);
      return true;
    }
    try {
      parsed = ::json::parse_value(data.text);
      return true;
    } catch (const util::Error& e) {
      parse_error = e.what();
      return false;
    }
  };

  // An envelope {"type": OP, "data": PAYLOAD} in a `message` event names the op.
  if (outcome.op == "message" && parse() && parsed->is_object()) {
    auto& object = parsed->get_ref<json::object_t&>();
    const auto op = object.find("type");
    const auto payload = object.find("data");
    if (op != object.end() && op->second.is_string() && payload != object.end()
        && !object.contains("headers")) {
      outcome.op = op->second.get<std::string>();
      json inner = std::move(payload->second);
      parsed = std::move(inner);
    }
  }

  if (outcome.op == "error") {
    outcome.kind = Outcome::Kind::error;
    outcome.message = error_message(data.text, parse() ? &*parsed : nullptr);
    if (outcome.message.empty()) {
      outcome.message = "the stream sent an error event without a message";
    }
    return outcome;
  }
  if (outcome.op == "reconnect") {
    outcome.kind = Outcome::Kind::reconnect;
    return outcome;
  }

  Mode wanted = Mode::detect;
  if (is_custom_op(outcome.op)) {
    wanted = Mode::custom;
  } else if (is_keyed_op(outcome.op)) {
    wanted = Mode::keyed;
  } else if (parse() && is_durable_payload(*parsed)) {
    wanted = Mode::durable;
  } else {
    return outcome; // ignored: not a state event
  }
  if (m_mode != Mode::detect && m_mode != wanted) {
    const std::string what = wanted == Mode::durable
                               ? std::string("a Durable State message")
                               : "a " + in_quotes(outcome.op) + " event";
    if (m_options.mode == Mode::detect) {
      throw bad(what + " belongs to " + mode_name(wanted) + " state, but this state is "
                + mode_name(m_mode) + " (detected from the first state event)");
    }
    throw bad(what + " belongs to " + mode_name(wanted) + " state, but this state is "
                + mode_name(m_mode),
              util::Setting::apply);
  }
  // A JSON patch given as text is read straight into operations (the hot path of a stream of
  // small patches); when it is not an array, it is read as a value for the right message.
  const bool patch_text = wanted == Mode::custom && !parsed && data.value == nullptr
                          && (outcome.op == "patch" || outcome.op == "json_patch");
  bool patch_read = false;
  if (patch_text) {
    try {
      patch_read = ::json::read_patch(data.text, m_patch);
    } catch (const util::Error& e) {
      throw bad("the data of a " + in_quotes(outcome.op) + " event is not JSON: " + e.what());
    }
  }
  // Every op but clear needs a JSON payload.
  if (outcome.op != "clear" && !patch_read && !parse()) {
    throw bad("the data of a " + in_quotes(outcome.op) + " event is not JSON: " + parse_error);
  }
  // What this event could add to the state: its payload's size.
  const std::uint64_t growth = parsed ? ::json::size_of(*parsed, m_options.max_state + 1)
                                      : data.text.size();
  const bool replaces_state = (wanted == Mode::custom && (op_is(outcome.op, "snapshot")))
                              || (wanted == Mode::keyed && outcome.op == "replace");
  reserve(growth, replaces_state);
  outcome.kind = Outcome::Kind::applied;
  json payload = parsed ? std::move(*parsed) : json();
  // The op is copied: OUTCOME itself is moved into the call.
  const std::string op = outcome.op;
  auto run = [&] {
    switch (m_mode) {
    case Mode::custom:
      if (patch_read) {
        ::json::apply_patch(m_state, m_patch, m_options.track_changes ? &outcome.changes : nullptr,
                            &m_root_index, &m_budget);
        return std::move(outcome);
      }
      return apply_custom(op, std::move(payload), std::move(outcome));
    case Mode::keyed:
      return apply_keyed(op, std::move(payload), std::move(outcome));
    default:
      return apply_durable(std::move(payload), std::move(outcome));
    }
  };
  // The size is what the event may have added, or what a patch's copies were charged.
  auto counted = [&](Outcome result) {
    m_size = replaces_state ? growth : m_budget.used;
    return result;
  };
  if (m_mode != Mode::detect) {
    return counted(run());
  }
  // The first state event decides the mode, unless it fails: then nothing was decided.
  const std::uint64_t size_before = m_size;
  try {
    enter(wanted, op);
    m_budget.used = m_size + growth;
    return counted(run());
  } catch (...) {
    m_mode = Mode::detect;
    m_index.clear();
    m_root_index.clear();
    if (!m_options.initial) {
      m_state = json::object();
    }
    m_size = size_before;
    throw;
  }
}

void Reducer::reserve(std::uint64_t growth, bool replaces_state)
{
  const std::uint64_t limit = m_options.max_state;
  auto too_large = [&] {
    return bad("the state would grow past the size limit of " + util::format_size(limit));
  };
  if (replaces_state) {
    if (growth > limit) {
      throw too_large();
    }
  } else if (growth > limit || m_size > limit - growth) {
    // M_SIZE only ever grows by what events could add: measure what the state really is.
    m_size = ::json::size_of(m_state, limit);
    if (growth > limit || m_size > limit - growth) {
      throw too_large();
    }
  }
  m_budget = {m_size + growth, limit};
}

Outcome Reducer::apply_custom(const std::string& op, json&& payload, Outcome outcome)
{
  auto* changed = m_options.track_changes ? &outcome.changes : nullptr;
  if (op == "json_snapshot" || op == "snapshot") {
    m_root_index.clear();
    m_state = std::move(payload);
    if (changed != nullptr) {
      changed->written.emplace_back();
    }
  } else if (op == "json_patch" || op == "patch") {
    ::json::apply_patch(m_state, std::move(payload), changed, &m_root_index, &m_budget);
  } else {
    // A merge may erase root members or replace the root.
    m_root_index.clear();
    ::json::apply_merge_patch(m_state, std::move(payload), changed);
  }
  return outcome;
}

Outcome Reducer::apply_keyed(const std::string& op, json&& payload, Outcome outcome)
{
  auto& items = m_state.get_ref<json::array_t&>();
  auto changed = [&](std::string pointer) {
    if (m_options.track_changes) {
      outcome.changes.written.push_back(std::move(pointer));
    }
  };
  auto position_error = [&](const util::Error& e) {
    return bad(in_quotes(op) + " failed: " + e.what());
  };
  if (op == "clear") {
    items.clear();
    m_index.clear();
    changed("");
    return outcome;
  }
  if (op == "replace") {
    if (!payload.is_array()) {
      throw bad("\"replace\" needs an array of items, not " + std::string(kind_of(payload)));
    }
    // Build the new collection aside, so a bad item leaves the state as it was. A key that
    // repeats updates the earlier item in place, as add does.
    json::array_t fresh;
    std::unordered_map<std::string, std::size_t> index;
    auto& given = payload.get_ref<json::array_t&>();
    for (std::size_t i = 0; i < given.size(); ++i) {
      std::string key;
      try {
        key = key_of(given[i], i);
      } catch (const util::Error& e) {
        throw position_error(e);
      }
      auto [it, inserted] = index.try_emplace(std::move(key), fresh.size());
      if (inserted) {
        fresh.push_back(std::move(given[i]));
      } else {
        fresh[it->second] = std::move(given[i]);
      }
    }
    items = std::move(fresh);
    m_index = std::move(index);
    changed("");
    return outcome;
  }
  if (op == "add") {
    json::array_t single;
    json::array_t* list = nullptr;
    if (payload.is_array()) {
      list = &payload.get_ref<json::array_t&>();
    } else {
      single.push_back(std::move(payload));
      list = &single;
    }
    // Every key first, so that a bad item changes nothing. A single item is one level deeper
    // in the state (an array) than in the payload.
    if (!single.empty() && ::json::depth_of(single[0], ::json::k_max_depth - 1)
                             > ::json::k_max_depth - 1) {
      throw bad("\"add\" failed: the item would be " + ::json::too_deep() + " in the state");
    }
    std::vector<std::string> keys;
    keys.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i) {
      try {
        keys.push_back(key_of((*list)[i], i));
      } catch (const util::Error& e) {
        throw position_error(e);
      }
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      auto [it, inserted] = m_index.try_emplace(std::move(keys[i]), items.size());
      if (inserted) {
        items.push_back(std::move((*list)[i]));
      } else {
        items[it->second] = std::move((*list)[i]);
      }
      changed("/" + std::to_string(it->second));
    }
    return outcome;
  }
  // remove: a key, an item (its key is read), or an array of those.
  json::array_t single;
  json::array_t* list = nullptr;
  if (payload.is_array()) {
    list = &payload.get_ref<json::array_t&>();
  } else {
    single.push_back(std::move(payload));
    list = &single;
  }
  if (list->empty()) {
    return outcome;
  }
  std::vector<std::size_t> doomed;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& entry = (*list)[i];
    std::string key;
    if (entry.is_string()) {
      key = "s" + entry.get_ref<const std::string&>();
    } else if (entry.is_number_unsigned()) {
      key = "i" + std::to_string(entry.get<std::uint64_t>());
    } else if (entry.is_number_integer()) {
      key = "i" + std::to_string(entry.get<std::int64_t>());
    } else if (entry.is_object()) {
      try {
        key = key_of(entry, i);
      } catch (const util::Error& e) {
        throw position_error(e);
      }
    } else {
      throw bad("\"remove\" failed: key " + std::to_string(i) + " is " + kind_of(entry)
                + ", not a string, an integer or an item");
    }
    const auto it = m_index.find(key);
    if (it == m_index.end()) {
      throw bad("\"remove\" failed: there is no item with the key " + entry.dump()
                + (entry.is_object() ? " at " + m_options.key : std::string()));
    }
    doomed.push_back(it->second);
  }
  std::sort(doomed.begin(), doomed.end());
  doomed.erase(std::unique(doomed.begin(), doomed.end()), doomed.end());
  // Compact in one pass, then renumber only the items that moved.
  std::size_t out = doomed.front();
  std::size_t next_doomed = 0;
  for (std::size_t in = doomed.front(); in < items.size(); ++in) {
    if (next_doomed < doomed.size() && doomed[next_doomed] == in) {
      m_index.erase(key_of(items[in], in));
      ++next_doomed;
      continue;
    }
    items[out] = std::move(items[in]);
    m_index[key_of(items[out], out)] = out;
    ++out;
  }
  items.resize(out);
  if (m_options.track_changes) {
    outcome.changes.removed_from.emplace_back();
  }
  return outcome;
}

Outcome Reducer::apply_durable(json&& payload, Outcome outcome)
{
  json::array_t single;
  json::array_t* list = nullptr;
  if (payload.is_array()) {
    list = &payload.get_ref<json::array_t&>();
  } else {
    single.push_back(std::move(payload));
    list = &single;
  }
  // Check the whole batch first: it applies atomically.
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (!is_durable_message((*list)[i])) {
      throw bad("message " + std::to_string(i) + " of the batch is not a Durable State message "
                "(an object with headers.operation or headers.control)");
    }
    if (auto problem = durable_problem((*list)[i]); !problem.empty()) {
      throw bad(list->size() > 1 ? "message " + std::to_string(i) + " of the batch: " + problem
                                 : "Durable State message: " + problem);
    }
  }
  auto& types = m_state.get_ref<json::object_t&>();
  for (auto& message : *list) {
    auto& object = message.get_ref<json::object_t&>();
    const json& headers = object.at("headers");
    const auto operation = headers.find("operation");
    if (operation == headers.end()) {
      if (headers.at("control") == "reset") {
        types.clear();
        if (m_options.track_changes) {
          outcome.changes.written.emplace_back();
        }
      }
      continue; // snapshot-start and snapshot-end only mark boundaries
    }
    const auto& type = object.at("type").get_ref<const std::string&>();
    const auto& key = object.at("key").get_ref<const std::string&>();
    // As MaterializedState.apply: the type's map exists once any change names it.
    auto& values = types[type];
    if (values.is_null()) {
      values = json::object();
    }
    std::string pointer;
    if (m_options.track_changes) {
      ::json::append_token(pointer, type);
    }
    if (*operation == "delete") {
      values.get_ref<json::object_t&>().erase(key);
      if (m_options.track_changes) {
        outcome.changes.removed_from.push_back(std::move(pointer));
      }
    } else {
      values[key] = std::move(object.at("value"));
      if (m_options.track_changes) {
        ::json::append_token(pointer, key);
        outcome.changes.written.push_back(std::move(pointer));
      }
    }
  }
  return outcome;
}

} // namespace state
