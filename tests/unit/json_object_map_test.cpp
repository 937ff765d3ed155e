// json::detail::ObjectMap, the object type of json::Value: members keep the order they arrived in
// through lookups, replacement, erasure, copies and the index large objects build; equality
// ignores order. Then the same order through the reader, the writer and JSON Patch.

#include "json/object_map.hpp"

#include "json/patch.hpp"
#include "json/value.hpp"
#include "json/value_type.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

using Map = json::detail::ObjectMap<std::string, int>;

std::vector<std::string> names(const Map& map)
{
  std::vector<std::string> out;
  for (const auto& [name, value] : map) {
    out.push_back(name);
  }
  return out;
}

std::string compact(const json::Value& value)
{
  std::string out;
  json::append_compact(out, value);
  return out;
}

std::string patched(const char* document, const char* patch)
{
  json::Value value = json::parse_value(document);
  json::apply_patch(value, json::parse_value(patch));
  return compact(value);
}

TEST(JsonObjectMap, KeepsInsertionOrder)
{
  Map map;
  map["b"] = 1;
  map["a"] = 2;
  map.emplace("c", 3);
  map.try_emplace("a", 9); // present: neither moved nor changed
  EXPECT_EQ(names(map), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(map.at("a"), 2);
  map["b"] = 5; // a new value keeps the place
  EXPECT_EQ(names(map), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(map.at("b"), 5);
}

TEST(JsonObjectMap, ErasedThenAddedGoesToTheEnd)
{
  Map map{{"x", 1}, {"y", 2}, {"z", 3}};
  EXPECT_EQ(map.erase("x"), 1U);
  EXPECT_EQ(map.erase("x"), 0U);
  map["x"] = 4;
  EXPECT_EQ(names(map), (std::vector<std::string>{"y", "z", "x"}));
  const auto next = map.erase(map.find("z"));
  EXPECT_EQ(next->first, "x");
  EXPECT_EQ(names(map), (std::vector<std::string>{"y", "x"}));
  map.try_emplace_before(map.find("x"), "z", 3); // how an undo puts a member back
  EXPECT_EQ(names(map), (std::vector<std::string>{"y", "z", "x"}));
}

TEST(JsonObjectMap, LooksUpByAnyStringType)
{
  Map map{{"name", 1}};
  const std::string_view view = "name";
  EXPECT_NE(map.find(view), map.end());
  EXPECT_EQ(map.count("name"), 1U);
  EXPECT_EQ(map.count(std::string("other")), 0U);
  EXPECT_TRUE(map.contains(view));
  EXPECT_THROW(map.at("other"), std::out_of_range);
}

TEST(JsonObjectMap, EqualityIgnoresOrder)
{
  const Map a{{"a", 1}, {"b", 2}};
  const Map b{{"b", 2}, {"a", 1}};
  EXPECT_EQ(a, b);
  EXPECT_TRUE((a <=> b) == 0);
  EXPECT_NE(a, (Map{{"a", 1}, {"b", 3}}));
  EXPECT_NE(a, (Map{{"a", 1}}));
  EXPECT_NE(a, (Map{{"a", 1}, {"c", 2}}));
  EXPECT_TRUE((Map{{"a", 1}} <=> Map{{"b", 0}}) < 0);
  EXPECT_EQ(json::parse_value(R"({"a":{"x":1,"y":[1,2]},"b":null})"),
            json::parse_value(R"({"b":null,"a":{"y":[1,2],"x":1}})"));
}

TEST(JsonObjectMap, CopiesMovesAndSwapsKeepOrder)
{
  Map map;
  for (int i = 20; i > 0; --i) { // past the size at which the index is built
    map[std::to_string(i)] = i;
  }
  const auto order = names(map);
  Map copy = map;
  EXPECT_EQ(names(copy), order);
  EXPECT_EQ(copy, map);
  Map moved = std::move(copy);
  EXPECT_EQ(names(moved), order);
  EXPECT_TRUE(copy.empty()); // NOLINT: a moved-from map is empty, and usable
  copy["again"] = 1;
  swap(copy, moved);
  EXPECT_EQ(names(copy), order);
  EXPECT_EQ(names(moved), std::vector<std::string>{"again"});
  moved = copy;
  EXPECT_EQ(names(moved), order);
  moved.clear();
  EXPECT_TRUE(moved.empty());
  EXPECT_EQ(moved.find("1"), moved.end());
  moved["1"] = 1;
  EXPECT_EQ(moved.at("1"), 1);
}

TEST(JsonObjectMap, MembersStayPutWhileOthersComeAndGo)
{
  Map map{{"kept", 7}};
  int* kept = &map.at("kept");
  for (int i = 0; i < 1000; ++i) {
    map[std::to_string(i)] = i;
  }
  for (int i = 0; i < 1000; i += 2) {
    map.erase(std::to_string(i));
  }
  EXPECT_EQ(kept, &map.at("kept"));
  EXPECT_EQ(*kept, 7);
}

// Random insertions, replacements and erasures against a vector of pairs in arrival order,
// across the size at which the index is built and with many collisions after erasures.
TEST(JsonObjectMap, AgreesWithAnOrderedListUnderRandomChanges)
{
  std::mt19937 random(7);
  for (int round = 0; round < 50; ++round) {
    Map map;
    std::vector<std::pair<std::string, int>> list;
    const auto keys = 1 + random() % 300;
    for (int step = 0; step < 3000; ++step) {
      const std::string name = "k" + std::to_string(random() % keys);
      const auto at = std::find_if(list.begin(), list.end(),
                                   [&](const auto& member) { return member.first == name; });
      if (random() % 3 != 0) {
        const int value = static_cast<int>(random() % 1000);
        map[name] = value;
        if (at == list.end()) {
          list.emplace_back(name, value);
        } else {
          at->second = value;
        }
      } else {
        ASSERT_EQ(map.erase(name), at == list.end() ? 0U : 1U);
        if (at != list.end()) {
          list.erase(at);
        }
      }
    }
    ASSERT_EQ(map.size(), list.size());
    auto it = map.begin();
    for (const auto& [name, value] : list) {
      ASSERT_EQ(it->first, name);
      ASSERT_EQ(it->second, value);
      ASSERT_EQ(map.at(name), value);
      ++it;
    }
  }
}

TEST(JsonObjectMap, ValuesKeepTheOrderTheyWereReadIn)
{
  const char* text = R"({"zeta":1,"alpha":{"y":2,"b":3},"mid":[{"q":1,"a":2}],"zeta":4})";
  const json::Value value = json::parse_value(text);
  // A repeated member keeps its first place and its last value, as JSON.parse does.
  EXPECT_EQ(compact(value), R"({"zeta":4,"alpha":{"y":2,"b":3},"mid":[{"q":1,"a":2}]})");
  EXPECT_EQ(value.dump(), compact(value));
}

TEST(JsonObjectMap, PatchesPlaceMembersAsJavaScriptWould)
{
  const char* document = R"({"c":1,"a":2,"b":3})";
  EXPECT_EQ(patched(document, R"([{"op":"add","path":"/d","value":4}])"), R"({"c":1,"a":2,"b":3,"d":4})");
  EXPECT_EQ(patched(document, R"([{"op":"add","path":"/a","value":5}])"), R"({"c":1,"a":5,"b":3})");
  EXPECT_EQ(patched(document, R"([{"op":"replace","path":"/c","value":0}])"), R"({"c":0,"a":2,"b":3})");
  EXPECT_EQ(patched(document, R"([{"op":"remove","path":"/a"}])"), R"({"c":1,"b":3})");
  EXPECT_EQ(patched(document, R"([{"op":"remove","path":"/c"},{"op":"add","path":"/c","value":1}])"),
            R"({"a":2,"b":3,"c":1})");
  EXPECT_EQ(patched(document, R"([{"op":"move","from":"/c","path":"/e"}])"), R"({"a":2,"b":3,"e":1})");
  EXPECT_EQ(patched(document, R"([{"op":"move","from":"/c","path":"/b"}])"), R"({"a":2,"b":1})");
  EXPECT_EQ(patched(document, R"([{"op":"copy","from":"/c","path":"/a"}])"), R"({"c":1,"a":1,"b":3})");
  EXPECT_EQ(patched(document, R"([{"op":"copy","from":"/c","path":"/e"}])"), R"({"c":1,"a":2,"b":3,"e":1})");
  EXPECT_EQ(patched(document, R"([{"op":"test","path":"","value":{"b":3,"a":2,"c":1}}])"), document);
  json::Value merged = json::parse_value(document);
  json::apply_merge_patch(merged, json::parse_value(R"({"a":null,"e":5,"c":7})"));
  EXPECT_EQ(compact(merged), R"({"c":7,"b":3,"e":5})");
}

TEST(JsonObjectMap, AFailedPatchLeavesTheOrderAsItWas)
{
  for (const char* patch : {
         R"([{"op":"remove","path":"/a"},{"op":"remove","path":"/c"},{"op":"test","path":"/b","value":0}])",
         R"([{"op":"move","from":"/a","path":"/x"},{"op":"replace","path":"/nothing","value":0}])",
         R"([{"op":"move","from":"/c","path":"/b/9"}])",
         R"([{"op":"add","path":"/a","value":0},{"op":"remove","path":"/c"},{"op":"remove","path":"/c"}])"}) {
    json::Value value = json::parse_value(R"({"c":1,"a":2,"b":[3],"d":4})");
    EXPECT_THROW(json::apply_patch(value, json::parse_value(patch)), json::PatchError) << patch;
    EXPECT_EQ(compact(value), R"({"c":1,"a":2,"b":[3],"d":4})") << patch;
  }
}

} // namespace
