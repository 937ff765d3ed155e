#include "json/patch.hpp"
#include "json/pointer.hpp"

#include <utility>

// JSON Merge Patch (RFC 7396): the simpler patch, which cannot fail and needs no undo log.

namespace json {
namespace {

using json = Value;

void merge(json& target, json&& patch, Changes* changed, std::string& pointer)
{
  if (!patch.is_object()) {
    target = std::move(patch);
    if (changed != nullptr) {
      changed->written.push_back(pointer);
    }
    return;
  }
  if (!target.is_object()) {
    target = json::object();
    if (changed != nullptr) {
      changed->written.push_back(pointer);
    }
  }
  auto& object = target.get_ref<json::object_t&>();
  for (auto& [name, value] : patch.get_ref<json::object_t&>()) {
    const std::size_t size = pointer.size();
    if (value.is_null()) {
      const auto it = object.find(name);
      if (it != object.end()) {
        object.erase(it);
        if (changed != nullptr) {
          changed->removed_from.push_back(pointer);
        }
      }
      continue;
    }
    if (changed != nullptr) {
      append_token(pointer, name);
    }
    merge(object[name], std::move(value), changed, pointer);
    pointer.resize(size);
  }
}

} // namespace

void apply_merge_patch(Value& target, Value&& patch, Changes* changed,
                       const std::string& base)
{
  std::string pointer = base;
  merge(target, std::move(patch), changed, pointer);
}

} // namespace json
