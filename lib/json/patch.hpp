#pragma once
// JSON Patch (RFC 6902), applied atomically, and JSON Merge Patch (RFC 7396).

#include "util/error.hpp"

#include "json/value_type.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace json {

/// A patch that could not be applied: which operation (index from 0 in the patch array), its
/// op and the JSON pointer it failed at. what() says all of it in one sentence.
class PatchError : public util::Error {
public:
  PatchError(std::optional<std::size_t> index, std::string op, std::string pointer,
             const std::string& what)
    : util::Error(util::Errc::bad_input, what), m_index(index), m_op(std::move(op)),
      m_pointer(std::move(pointer))
  {
  }
  /// Empty when the patch as a whole is malformed (not an array).
  std::optional<std::size_t> index() const noexcept { return m_index; }
  const std::string& op() const noexcept { return m_op; }
  const std::string& pointer() const noexcept { return m_pointer; }

private:
  std::optional<std::size_t> m_index;
  std::string m_op;
  std::string m_pointer;
};

/// Where a patch changed a document, for a view that highlights it: WRITTEN holds the pointers
/// of locations given a new value (their whole subtree is new), REMOVED_FROM the pointers of
/// containers that lost a member or an element.
struct Changes {
  std::vector<std::string> written;
  std::vector<std::string> removed_from;
};

/// Remembers where the members of a large root object live, so that a stream of patches
/// against one document finds "/k123/..." with a hash lookup instead of a walk down the
/// object's tree. Entries point at the member's value, which stays put while other members
/// come and go; apply_patch keeps the index valid across everything it does (it forgets a
/// member it erases, and everything when the root is replaced). Whoever changes the
/// document's top level in another way must call clear().
class RootIndex {
public:
  void clear() noexcept
  {
    m_slots.clear();
    m_root = nullptr;
  }

private:
  friend class RootIndexAccess;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept
    {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, Value*, Hash, std::equal_to<>> m_slots;
  const void* m_root = nullptr; // the root object the entries belong to
};

/// How large a patch may make its document, about its length as compact JSON (json::size_of):
/// USED is what the document is reckoned to hold (it may be an overestimate), LIMIT the most
/// it may. A copy is the one operation that grows a document by more than the patch's own size
/// (a root copied into itself doubles it), so a copy is charged what it copies, and refused
/// when it would pass the limit; USED is then corrected by measuring the document first.
struct SizeBudget {
  std::uint64_t used = 0;
  std::uint64_t limit = 0;
};

/// One operation of a patch as read from its text by read_patch, before it is checked (which
/// apply_patch does as it reaches it, so that its messages name the operation).
struct Operation {
  /// A member that must be a string ("op", "path", "from"), as found.
  struct Text {
    bool present = false;
    bool is_string = false;
    std::string text;        ///< when a string
    const char* kind = "";   ///< otherwise: the type it has ("a number")
  };
  bool is_object = true;
  const char* kind = "";     ///< when not an object: the type it is
  Text op;
  Text path;
  Text from;
  bool has_value = false;
  Value value;

  void reset()
  {
    is_object = true;
    op.present = path.present = from.present = false;
    has_value = false;
    value = nullptr;
  }
};

/// A patch read straight from its text into operations, without building its JSON value: the
/// hot path of a stream of small patches. Reused from patch to patch, so its buffers stay.
struct ParsedPatch {
  std::vector<Operation> operations; ///< the first `size` are this patch's
  std::size_t size = 0;
};

/// Reads TEXT into OUT when it is a JSON array (of anything: the operations are checked when
/// applied); returns false, OUT unspecified, when TEXT holds another JSON value or none (the
/// caller reads it as a value then, for the right message). Throws util::Error(bad_input) for
/// invalid JSON, exactly as json::parse_value would.
bool read_patch(std::string_view text, ParsedPatch& out);

/// apply_patch for a patch read by read_patch; values are moved out of PATCH.
void apply_patch(Value& document, ParsedPatch& patch, Changes* changes = nullptr,
                 RootIndex* index = nullptr, SizeBudget* budget = nullptr);

/// Applies the RFC 6902 PATCH (an array of operation objects) to DOCUMENT, all operations or
/// none: when one fails, the operations before it are undone and DOCUMENT is as it was. Values
/// are moved out of PATCH. Undoing uses a log of what each operation replaced or removed, so a
/// patch costs what it touches, never a copy of DOCUMENT. `test` compares JSON values (1 and
/// 1.0 are equal, object member order does not matter). When CHANGES is given, what the patch
/// changed is appended to it (nothing when it throws). Throws PatchError.
/// INDEX, when given, must have been used only with DOCUMENT (see RootIndex).
/// No operation may nest a value deeper than k_max_depth (json/value.hpp): one that would
/// (an add, replace, copy or move of a value V to a path P with depth(V) + tokens(P) above
/// the limit) fails. With BUDGET, copies are bounded (see SizeBudget); a failed patch leaves
/// BUDGET as it was.
void apply_patch(Value& document, Value&& patch, Changes* changes = nullptr,
                 RootIndex* index = nullptr, SizeBudget* budget = nullptr);

/// Applies the RFC 7396 merge PATCH to TARGET (which cannot fail). CHANGES as for apply_patch,
/// with BASE the pointer of TARGET in the whole document.
void apply_merge_patch(Value& target, Value&& patch, Changes* changes = nullptr,
                       const std::string& base = {});

} // namespace json
