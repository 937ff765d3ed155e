#include "json/patch.hpp"

#include "json/pointer.hpp"
#include "json/value.hpp"
#include "util/units.hpp"

#include <algorithm>

#include <utility>

namespace json {

// The patcher's view of a RootIndex.
class RootIndexAccess {
public:
  explicit RootIndexAccess(RootIndex* index) : m_index(index) {}

  // The member TOKEN of the root object ROOT, or null; a miss is looked up and remembered.
  Value* find(Value::object_t& root, std::string_view token)
  {
    if (m_index == nullptr) {
      const auto it = root.find(token);
      return it == root.end() ? nullptr : &it->second;
    }
    if (m_index->m_root != &root) {
      m_index->m_slots.clear();
      m_index->m_root = &root;
    }
    if (const auto hit = m_index->m_slots.find(token); hit != m_index->m_slots.end()) {
      return hit->second;
    }
    const auto it = root.find(token);
    if (it == root.end()) {
      return nullptr;
    }
    // Bounded, so a stream that touches ever new members cannot grow it without limit.
    if (m_index->m_slots.size() >= (1U << 20)) {
      m_index->m_slots.clear();
    }
    m_index->m_slots.emplace(std::string(token), &it->second);
    return &it->second;
  }

  // The root member TOKEN is about to be erased.
  void forget(std::string_view token)
  {
    if (m_index != nullptr) {
      if (const auto hit = m_index->m_slots.find(token); hit != m_index->m_slots.end()) {
        m_index->m_slots.erase(hit);
      }
    }
  }

  // The root is about to be replaced.
  void forget_all()
  {
    if (m_index != nullptr) {
      m_index->clear();
    }
  }

private:
  RootIndex* m_index;
};

namespace {

using json = Value;

std::string in_quotes(std::string_view text)
{
  return "\"" + std::string(text) + "\"";
}

// One entry of the undo log: how to put back what an operation changed. Entries are undone in
// reverse order, so each finds the document exactly as the operation left it and its pointer
// resolves to the same place.
// A value that an entry takes out of the document (remove, restore) is carried to the next
// entry, so a move is undone without copying the moved value: the add's entry takes it out of
// the target and the remove's entry, marked from_carry, puts it back at "from".
struct Undo {
  enum class Kind { remove, insert, restore } kind;
  std::string pointer; // a concrete location (never "-")
  json value;          // insert: the value to put back; restore: the value to swap back in
  bool from_carry = false; // insert: put back the carried value instead
  // insert of an object member: the member it goes back in front of (objects keep their
  // order, so a member is put back where it was); empty when it was the last.
  std::optional<std::string> before;
};

class Patcher {
public:
  Patcher(json& document, Changes* changes, RootIndex* index, SizeBudget* budget)
    : m_document(document), m_changed(changes), m_root_index(index), m_budget(budget)
  {
  }

  void apply(json&& patch)
  {
    if (!patch.is_array()) {
      throw PatchError(std::nullopt, {}, {},
                       std::string("a JSON patch must be an array of operations, not ")
                         + kind_of(patch));
    }
    ParsedPatch parsed;
    for (auto& element : patch.get_ref<json::array_t&>()) {
      Operation& operation = parsed.operations.emplace_back();
      if (!element.is_object()) {
        operation.is_object = false;
        operation.kind = kind_of(element);
        continue;
      }
      for (auto& [name, value] : element.get_ref<json::object_t&>()) {
        Operation::Text* text = name == "op"     ? &operation.op
                                : name == "path" ? &operation.path
                                : name == "from" ? &operation.from
                                                 : nullptr;
        if (text != nullptr) {
          text->present = true;
          text->is_string = value.is_string();
          if (text->is_string) {
            text->text = std::move(value.get_ref<std::string&>());
          } else {
            text->kind = kind_of(value);
          }
        } else if (name == "value") {
          operation.has_value = true;
          operation.value = std::move(value);
        }
      }
    }
    parsed.size = parsed.operations.size();
    apply(parsed);
  }

  void apply(ParsedPatch& patch)
  {
    // A single operation checks everything before it writes, so it needs no log; only a move
    // (a remove, then an add that can still fail) and longer patches keep one.
    m_logging = patch.size > 1;
    const std::uint64_t budget_used = m_budget != nullptr ? m_budget->used : 0;
    try {
      for (std::size_t i = 0; i < patch.size; ++i) {
        m_index = i;
        apply_one(patch.operations[i]);
      }
    } catch (...) {
      rollback();
      if (m_budget != nullptr) {
        m_budget->used = budget_used;
      }
      if (m_changed != nullptr) {
        m_changed->written.resize(m_written_before);
        m_changed->removed_from.resize(m_removed_before);
      }
      throw;
    }
  }

  void set_changed_mark()
  {
    if (m_changed != nullptr) {
      m_written_before = m_changed->written.size();
      m_removed_before = m_changed->removed_from.size();
    }
  }

private:
  [[noreturn]] void fail(const std::string& pointer, const std::string& reason) const
  {
    throw PatchError(m_index, std::string(m_op), pointer,
                     "patch operation " + std::to_string(m_index) + " (" + std::string(m_op) + " "
                       + std::string(m_path) + ") failed: " + reason);
  }

  [[noreturn]] void invalid(const std::string& reason) const
  {
    std::string what = "patch operation " + std::to_string(m_index);
    if (!m_op.empty()) {
      what += " (" + std::string(m_op) + (m_path.empty() ? "" : " " + std::string(m_path)) + ")";
    }
    throw PatchError(m_index, std::string(m_op), std::string(m_path), what + " is invalid: " + reason);
  }

  // The string member NAME, which must be a valid pointer when POINTER is set.
  const std::string& member(const Operation::Text& member, const char* name, bool pointer)
  {
    if (!member.present) {
      invalid(std::string("it has no \"") + name + "\"");
    }
    if (!member.is_string) {
      invalid(std::string("its \"") + name + "\" is " + member.kind + ", not a string");
    }
    if (pointer) {
      if (auto problem = pointer_problem(member.text); !problem.empty()) {
        invalid(std::string("its \"") + name + "\" " + in_quotes(member.text)
                + " is not a JSON pointer: " + problem);
      }
    }
    return member.text;
  }

  json& value_member(Operation& operation)
  {
    if (!operation.has_value) {
      invalid("it has no \"value\"");
    }
    return operation.value;
  }

  void apply_one(Operation& operation)
  {
    m_op = {};
    m_path = {};
    if (!operation.is_object) {
      invalid(std::string("it is ") + operation.kind + ", not an object");
    }
    m_op = member(operation.op, "op", false);
    const Op op = op_of(m_op);
    if (op == Op::unknown) {
      const std::string_view name = m_op;
      m_op = {};
      invalid("unknown op " + in_quotes(name));
    }
    const std::string& path = member(operation.path, "path", true);
    m_path = path;
    switch (op) {
    case Op::add:
      add(path, value_member(operation));
      return;
    case Op::remove:
      remove(path);
      return;
    case Op::replace:
      replace(path, std::move(value_member(operation)));
      return;
    case Op::test:
      test(path, value_member(operation));
      return;
    default:
      break;
    }
    const std::string& from = member(operation.from, "from", true);
    if (op == Op::move) {
      move(from, path);
      return;
    }
    const json* source = find(from);
    if (source == nullptr) {
      fail(from, "there is no value at \"from\" " + from + where_missing(from));
    }
    charge_copy(path, from, *source);
    json copy = *source;
    add(path, copy);
  }

  // The copy of SOURCE about to be added at PATH must fit the budget.
  void charge_copy(const std::string& path, const std::string& from, const json& source)
  {
    if (m_budget == nullptr) {
      return;
    }
    const std::uint64_t limit = m_budget->limit;
    // The value and, for a member, its quoted name, colon and comma.
    const std::string_view parent = parent_pointer(path);
    const std::uint64_t slot = path.empty() ? 0 : path.size() - parent.size() - 1 + 4;
    const std::uint64_t size = size_of(source, limit) + slot;
    auto fits = [&] { return m_budget->used <= limit && size <= limit - m_budget->used; };
    if (!fits()) {
      // USED may be stale (what was removed is not subtracted): measure the document.
      m_budget->used = size_of(m_document, limit);
      if (!fits()) {
        fail(path, "copying " + (from.empty() ? std::string("the document") : from)
                     + " would make the document larger than the size limit of "
                     + util::format_size(limit));
      }
    }
    m_budget->used += size;
  }

  // Whether VALUE placed at POINTER stays within k_max_depth; fails the operation if not.
  void check_depth(const std::string& pointer, const json& value)
  {
    const auto tokens = static_cast<std::size_t>(std::count(pointer.begin(), pointer.end(), '/'));
    const std::size_t room = tokens >= k_max_depth ? 0 : k_max_depth - tokens;
    if (depth_of(value, room) > room) {
      fail(pointer, "the value would be " + too_deep());
    }
  }

  enum class Op { add, remove, replace, move, copy, test, unknown };

  static Op op_of(std::string_view name)
  {
    switch (name.size()) {
    case 3:
      return name == "add" ? Op::add : Op::unknown;
    case 4:
      return name == "move" ? Op::move : name == "copy" ? Op::copy : name == "test" ? Op::test : Op::unknown;
    case 6:
      return name == "remove" ? Op::remove : Op::unknown;
    case 7:
      return name == "replace" ? Op::replace : Op::unknown;
    default:
      return Op::unknown;
    }
  }

  // The value POINTER (valid) names, or null; root members come from the index.
  json* find(std::string_view pointer)
  {
    json* at = &m_document;
    PointerTokens walk(pointer);
    bool root = true;
    while (auto token = walk.next()) {
      at = root && at->is_object() ? m_root_index.find(at->get_ref<json::object_t&>(), *token)
                                   : child_at(*at, *token);
      if (at == nullptr) {
        return nullptr;
      }
      root = false;
    }
    return at;
  }

  // Says why nothing is at POINTER: the first token that does not resolve, and why.
  std::string where_missing(std::string_view pointer) const
  {
    const json* at = &m_document;
    PointerTokens walk(pointer);
    while (auto token = walk.next()) {
      const std::string parent(parent_pointer(walk.consumed(pointer)));
      const std::string parent_name = parent.empty() ? "the document" : parent;
      if (at->is_object()) {
        const auto& object = at->get_ref<const json::object_t&>();
        const auto it = object.find(*token);
        if (it == object.end()) {
          return " (" + parent_name + " has no member " + in_quotes(*token) + ")";
        }
        at = &it->second;
      } else if (at->is_array()) {
        const auto& array = at->get_ref<const json::array_t&>();
        const auto index = array_index(*token);
        if (!index) {
          return " (" + in_quotes(*token) + " is not an index of the array " + parent_name + ")";
        }
        if (*index >= array.size()) {
          return " (index " + std::string(*token) + " is out of range: " + parent_name + " has "
                 + std::to_string(array.size()) + " items)";
        }
        at = &array[*index];
      } else {
        return " (" + parent_name + " is " + kind_of(*at) + ")";
      }
    }
    return {};
  }

  // The container holding the last token of POINTER (which is not ""), or a failure naming
  // what is missing. LAST receives the last token.
  json& parent_of(std::string_view pointer, std::string& last)
  {
    const std::string_view parent = parent_pointer(pointer);
    PointerTokens tail(pointer.substr(parent.size()));
    last.assign(*tail.next());
    json* at = find(parent);
    if (at == nullptr) {
      fail(std::string(pointer), "the parent " + std::string(parent) + " does not exist"
                                   + where_missing(parent));
    }
    return *at;
  }


  void record(std::string_view pointer)
  {
    if (m_changed != nullptr) {
      m_changed->written.emplace_back(pointer);
    }
  }

  void record_removal(std::string_view container)
  {
    if (m_changed != nullptr) {
      m_changed->removed_from.emplace_back(container);
    }
  }

  void log(Undo::Kind kind, std::string_view pointer, json value = {}, bool from_carry = false,
           std::optional<std::string> before = {})
  {
    if (m_logging) {
      m_log.push_back({kind, std::string(pointer), std::move(value), from_carry, std::move(before)});
    }
  }

  // Adds VALUE at PATH; VALUE is taken (moved from) only when nothing fails. CHECKED: the
  // caller knows VALUE fits k_max_depth at PATH.
  void add(const std::string& path, json& value, bool checked = false)
  {
    if (!checked) {
      check_depth(path, value);
    }
    if (path.empty()) {
      overwrite(m_document, path, value);
      return;
    }
    std::string last;
    json& parent = parent_of(path, last);
    if (parent.is_object()) {
      auto& object = parent.get_ref<json::object_t&>();
      auto [it, inserted] = object.try_emplace(last);
      std::swap(it->second, value);
      if (inserted) {
        log(Undo::Kind::remove, path);
      } else {
        log(Undo::Kind::restore, path, std::move(value));
      }
      record(path);
      return;
    }
    if (parent.is_array()) {
      auto& array = parent.get_ref<json::array_t&>();
      std::size_t index = array.size();
      if (last != "-") {
        const auto given = array_index(last);
        if (!given) {
          fail(path, in_quotes(last) + " is not an array index (digits without leading zeros, "
                                    "or \"-\" for the end)");
        }
        if (*given > array.size()) {
          fail(path, "index " + last + " is out of range: the array has "
                       + std::to_string(array.size()) + " items");
        }
        index = *given;
      }
      array.insert(array.begin() + static_cast<std::ptrdiff_t>(index), std::move(value));
      if (m_logging || m_changed != nullptr) {
        std::string concrete(parent_pointer(path));
        concrete += "/" + std::to_string(index);
        log(Undo::Kind::remove, concrete);
        record(concrete);
      }
      return;
    }
    const std::string parent_path(parent_pointer(path));
    fail(path, (parent_path.empty() ? std::string("the document") : parent_path) + " is "
                 + kind_of(parent) + ", which has no members");
  }

  // The location POINTER names, which must exist.
  json& existing(const std::string& pointer)
  {
    json* target = find(pointer);
    if (target == nullptr) {
      fail(pointer, "there is no value at " + pointer + where_missing(pointer));
    }
    return *target;
  }

  // Removes the value at PATH; returns it for a move (KEEP), or logs it for the undo.
  json take(const std::string& path, bool keep)
  {
    if (path.empty()) {
      fail(path, "the whole document cannot be removed");
    }
    existing(path); // for the precise message
    std::string last;
    json& parent = parent_of(path, last);
    json value;
    std::optional<std::string> before;
    if (parent.is_object()) {
      auto& object = parent.get_ref<json::object_t&>();
      const auto it = object.find(last);
      value = std::move(it->second);
      if (&parent == &m_document) {
        m_root_index.forget(last);
      }
      const auto next = object.erase(it);
      if (m_logging && next != object.end()) {
        before = next->first;
      }
    } else {
      auto& array = parent.get_ref<json::array_t&>();
      const auto index = static_cast<std::ptrdiff_t>(*array_index(last));
      value = std::move(array[static_cast<std::size_t>(index)]);
      array.erase(array.begin() + index);
    }
    record_removal(parent_pointer(path));
    if (keep) {
      log(Undo::Kind::insert, path, {}, true, std::move(before));
      return value;
    }
    log(Undo::Kind::insert, path, std::move(value), false, std::move(before));
    return {};
  }

  void remove(const std::string& path) { take(path, false); }

  void replace(const std::string& path, json value)
  {
    json& target = existing(path);
    check_depth(path, value);
    overwrite(target, path, value);
  }

  // Puts VALUE in place of TARGET, the value at PATH, and logs the value it replaced. Always
  // inlined, as it was written out in add and replace, on the path of every patch.
  [[gnu::always_inline]] void overwrite(json& target, const std::string& path, json& value)
  {
    if (path.empty()) {
      m_root_index.forget_all();
    }
    std::swap(target, value);
    log(Undo::Kind::restore, path, std::move(value));
    record(path);
  }

  void move(const std::string& from, const std::string& path)
  {
    if (find(from) == nullptr) {
      fail(from, "there is no value at \"from\" " + from + where_missing(from));
    }
    if (from == path) {
      return;
    }
    if (path.size() > from.size() && path.compare(0, from.size(), from) == 0
        && path[from.size()] == '/') {
      fail(path, "a value cannot be moved into itself (from " + from + ")");
    }
    // A value moved no deeper than it was stays within the depth limit it was within.
    const auto tokens = [](const std::string& pointer) {
      return std::count(pointer.begin(), pointer.end(), '/');
    };
    const bool checked = tokens(path) <= tokens(from);
    // The add after the remove can still fail (an index past the end once the value is
    // gone), so a move always keeps a log.
    const bool saved = m_logging;
    const std::size_t log_start = m_log.size();
    m_logging = true;
    json value = take(from, true);
    try {
      add(path, value, checked);
    } catch (...) {
      // add() failed before it took VALUE; the remove's entry puts it back.
      m_log[log_start].value = std::move(value);
      m_log[log_start].from_carry = false;
      rollback(log_start);
      m_logging = saved;
      throw;
    }
    if (!saved) {
      m_log.resize(log_start);
    }
    m_logging = saved;
  }

  void test(const std::string& path, const json& expected)
  {
    const json& actual = existing(path);
    if (!(actual == expected)) {
      fail(path, "the value at " + (path.empty() ? std::string("the root") : path)
                   + " is not equal to the test value");
    }
  }

  void rollback(std::size_t until = 0)
  {
    json carry;
    while (m_log.size() > until) {
      Undo undo = std::move(m_log.back());
      m_log.pop_back();
      if (undo.kind == Undo::Kind::restore) {
        if (undo.pointer.empty()) {
          m_root_index.forget_all();
        }
        json& target = undo.pointer.empty() ? m_document : *find(undo.pointer);
        carry = std::move(target);
        target = std::move(undo.value);
        continue;
      }
      if (undo.from_carry) {
        undo.value = std::move(carry);
      }
      const std::string_view parent_path = parent_pointer(undo.pointer);
      PointerTokens tail(std::string_view(undo.pointer).substr(parent_path.size()));
      const std::string last(*tail.next());
      json* parent = find(parent_path);
      if (parent->is_object()) {
        auto& object = parent->get_ref<json::object_t&>();
        if (undo.kind == Undo::Kind::remove) {
          const auto it = object.find(last);
          carry = std::move(it->second);
          if (parent == &m_document) {
            m_root_index.forget(last);
          }
          object.erase(it);
        } else if (undo.before) {
          object.try_emplace_before(object.find(*undo.before), last, std::move(undo.value));
        } else {
          object.emplace(last, std::move(undo.value));
        }
      } else {
        auto& array = parent->get_ref<json::array_t&>();
        const auto index = static_cast<std::ptrdiff_t>(*array_index(last));
        if (undo.kind == Undo::Kind::remove) {
          carry = std::move(array[static_cast<std::size_t>(index)]);
          array.erase(array.begin() + index);
        } else {
          array.insert(array.begin() + index, std::move(undo.value));
        }
      }
    }
  }

  json& m_document;
  Changes* m_changed;
  RootIndexAccess m_root_index;
  SizeBudget* m_budget;
  std::size_t m_written_before = 0;
  std::size_t m_removed_before = 0;
  bool m_logging = false;
  std::vector<Undo> m_log;
  std::size_t m_index = 0;
  // Views of the operation being applied, for messages; PATCH outlives them.
  std::string_view m_op;
  std::string_view m_path;
};

} // namespace

void apply_patch(Value& document, Value&& patch, Changes* changed,
                 RootIndex* index, SizeBudget* budget)
{
  Patcher patcher(document, changed, index, budget);
  patcher.set_changed_mark();
  patcher.apply(std::move(patch));
}

void apply_patch(Value& document, ParsedPatch& patch, Changes* changed, RootIndex* index,
                 SizeBudget* budget)
{
  Patcher patcher(document, changed, index, budget);
  patcher.set_changed_mark();
  patcher.apply(patch);
}

} // namespace json
