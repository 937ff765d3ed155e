#pragma once
// The map behind every JSON object: members kept in the order they arrived, found by name in
// O(1) on average. It is the ObjectType of json::Value (json/value_type.hpp) and offers what
// nlohmann::basic_json asks of one (the std::map interface it uses), nothing more.
//
// Why not std::map: it sorts, so a document read and written back came out with its keys
// reordered. Why not nlohmann::ordered_map: a vector searched linearly, quadratic for the
// keyed states that hold many members.
//
// Members live in nodes of a circular doubly linked list, so a reference, pointer or iterator
// to a member stays valid until that member is erased (json::RootIndex relies on it). Objects
// with more than k_linear members also have an open-addressing index of the nodes (linear
// probing, deletion by backward shift); smaller ones are searched along the list, which is
// faster than hashing for a few short names.
//
// Order: a new member goes to the end; giving an existing member a new value keeps its place;
// a member erased and added again goes to the end (as in JavaScript). Equality does not depend
// on order (two objects are equal when they have the same members with equal values), as
// JSON Patch's "test" requires (RFC 6902 §4.6); so does the three-way comparison, which
// compares the members sorted by name.

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

// In a namespace of its own: json::Value names ObjectMap as a template argument, so argument-
// dependent lookup searches ObjectMap's namespace for calls with a Value, and must not find
// every function of json (a caller's own kind_of would become ambiguous).
namespace json::detail {

template <class Key, class T, class... Ignored>
class ObjectMap {
  static_assert(std::is_same_v<Key, std::string>, "JSON object names are std::string");

  struct Link {
    Link* prev;
    Link* next;
  };
  struct Node : Link {
    template <class... Args>
    explicit Node(std::size_t h, Args&&... args) : hash(h), value(std::forward<Args>(args)...)
    {
    }
    std::size_t hash;
    std::pair<const Key, T> value;
  };

  // Up to this many members, a lookup walks the list instead of an index.
  static constexpr std::size_t k_linear = 8;

  template <bool Const>
  class Iterator {
  public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = std::pair<const Key, T>;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<Const, const value_type*, value_type*>;
    using reference = std::conditional_t<Const, const value_type&, value_type&>;

    Iterator() = default;
    // An iterator converts to a const_iterator.
    template <bool C = Const, class = std::enable_if_t<C>>
    Iterator(const Iterator<false>& other) : m_link(other.m_link) // NOLINT: implicit, as std::map's
    {
    }

    reference operator*() const { return static_cast<Node*>(m_link)->value; }
    pointer operator->() const { return &static_cast<Node*>(m_link)->value; }
    Iterator& operator++()
    {
      m_link = m_link->next;
      return *this;
    }
    Iterator operator++(int)
    {
      Iterator old = *this;
      m_link = m_link->next;
      return old;
    }
    Iterator& operator--()
    {
      m_link = m_link->prev;
      return *this;
    }
    Iterator operator--(int)
    {
      Iterator old = *this;
      m_link = m_link->prev;
      return old;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.m_link == b.m_link; }

  private:
    friend class ObjectMap;
    template <bool>
    friend class Iterator;
    explicit Iterator(Link* link) : m_link(link) {}
    Link* m_link = nullptr;
  };

public:
  using key_type = Key;
  using mapped_type = T;
  using value_type = std::pair<const Key, T>;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using key_compare = std::less<>; // what nlohmann asks of names looked up by other types
  using reference = value_type&;
  using const_reference = const value_type&;
  using pointer = value_type*;
  using const_pointer = const value_type*;
  using iterator = Iterator<false>;
  using const_iterator = Iterator<true>;

  ObjectMap() noexcept { reset(); }
  template <class InputIt>
  ObjectMap(InputIt first, InputIt last) : ObjectMap()
  {
    insert(first, last);
  }
  ObjectMap(std::initializer_list<value_type> members) : ObjectMap() { insert(members.begin(), members.end()); }
  ObjectMap(const ObjectMap& other) : ObjectMap()
  {
    reserve(other.m_size);
    for (const auto& member : other) {
      append(hash_of(member.first), member.first, member.second);
    }
  }
  ObjectMap(ObjectMap&& other) noexcept : ObjectMap() { take(other); }
  ObjectMap& operator=(const ObjectMap& other)
  {
    if (this != &other) {
      ObjectMap copy(other);
      swap(copy);
    }
    return *this;
  }
  ObjectMap& operator=(ObjectMap&& other) noexcept
  {
    if (this != &other) {
      clear();
      release_index();
      take(other);
    }
    return *this;
  }
  ~ObjectMap()
  {
    clear();
    release_index();
  }

  iterator begin() noexcept { return iterator(m_end.next); }
  iterator end() noexcept { return iterator(&m_end); }
  const_iterator begin() const noexcept { return const_iterator(m_end.next); }
  const_iterator end() const noexcept { return const_iterator(const_cast<Link*>(&m_end)); }
  const_iterator cbegin() const noexcept { return begin(); }
  const_iterator cend() const noexcept { return end(); }

  bool empty() const noexcept { return m_size == 0; }
  size_type size() const noexcept { return m_size; }
  size_type max_size() const noexcept { return std::numeric_limits<difference_type>::max() / sizeof(Node); }

  iterator find(std::string_view name) noexcept { return iterator(locate(name, hash_of(name))); }
  const_iterator find(std::string_view name) const noexcept
  {
    return const_iterator(const_cast<ObjectMap*>(this)->locate(name, hash_of(name)));
  }
  size_type count(std::string_view name) const noexcept { return find(name) == end() ? 0 : 1; }
  bool contains(std::string_view name) const noexcept { return find(name) != end(); }

  T& at(std::string_view name)
  {
    const auto it = find(name);
    if (it == end()) {
      throw std::out_of_range("no member " + std::string(name));
    }
    return it->second;
  }
  const T& at(std::string_view name) const { return const_cast<ObjectMap*>(this)->at(name); }

  template <class K>
  T& operator[](K&& name)
  {
    return try_emplace(std::forward<K>(name)).first->second;
  }

  /// Adds a member NAME whose value is made from ARGS at the end, unless there is one.
  template <class K, class... Args>
  std::pair<iterator, bool> try_emplace(K&& name, Args&&... args)
  {
    const std::string_view view(name);
    const std::size_t hash = hash_of(view);
    if (Link* found = locate(view, hash); found != &m_end) {
      return {iterator(found), false};
    }
    return {iterator(append(hash, std::forward<K>(name), std::forward<Args>(args)...)), true};
  }
  template <class K, class... Args>
  std::pair<iterator, bool> emplace(K&& name, Args&&... args)
  {
    return try_emplace(std::forward<K>(name), std::forward<Args>(args)...);
  }
  std::pair<iterator, bool> emplace(const value_type& member) { return try_emplace(member.first, member.second); }
  std::pair<iterator, bool> emplace(value_type&& member)
  {
    return try_emplace(member.first, std::move(member.second));
  }
  std::pair<iterator, bool> insert(const value_type& member) { return emplace(member); }
  std::pair<iterator, bool> insert(value_type&& member) { return emplace(std::move(member)); }
  template <class InputIt>
  void insert(InputIt first, InputIt last)
  {
    for (; first != last; ++first) {
      try_emplace(first->first, first->second);
    }
  }

  /// Adds a member NAME made from ARGS just before POSITION, unless there is one: how an undo
  /// puts a member back where it was.
  template <class K, class... Args>
  std::pair<iterator, bool> try_emplace_before(const_iterator position, K&& name, Args&&... args)
  {
    auto [it, inserted] = try_emplace(std::forward<K>(name), std::forward<Args>(args)...);
    if (inserted && position.m_link != it.m_link) {
      Link* link = it.m_link;
      unlink(link);
      link_before(position.m_link, link);
    }
    return {it, inserted};
  }

  iterator erase(const_iterator position)
  {
    Link* link = position.m_link;
    Link* next = link->next;
    unindex(static_cast<Node*>(link));
    unlink(link);
    destroy(static_cast<Node*>(link));
    --m_size;
    return iterator(next);
  }
  iterator erase(iterator position) { return erase(const_iterator(position)); }
  iterator erase(const_iterator first, const_iterator last)
  {
    while (first != last) {
      first = erase(first);
    }
    return iterator(last.m_link);
  }
  size_type erase(std::string_view name)
  {
    const auto it = find(name);
    if (it == end()) {
      return 0;
    }
    erase(it);
    return 1;
  }

  void clear() noexcept
  {
    Link* link = m_end.next;
    while (link != &m_end) {
      Link* next = link->next;
      destroy(static_cast<Node*>(link));
      link = next;
    }
    m_end.prev = m_end.next = &m_end;
    m_size = 0;
    std::fill(m_index, m_index + m_capacity, nullptr);
  }

  /// Makes room in the index for COUNT members.
  void reserve(size_type count)
  {
    if (count > k_linear && count * 2 > m_capacity) {
      rebuild(count * 2);
    }
  }

  void swap(ObjectMap& other) noexcept
  {
    ObjectMap held(std::move(other));
    other.take(*this);
    take(held);
  }
  friend void swap(ObjectMap& a, ObjectMap& b) noexcept { a.swap(b); }

  friend bool operator==(const ObjectMap& a, const ObjectMap& b) noexcept
  {
    if (a.m_size != b.m_size) {
      return false;
    }
    for (const auto& member : a) {
      const auto it = b.find(member.first);
      if (it == b.end() || !(it->second == member.second)) {
        return false;
      }
    }
    return true;
  }

  friend auto operator<=>(const ObjectMap& a, const ObjectMap& b)
  {
    const auto sorted = [](const ObjectMap& map) {
      std::vector<const value_type*> members;
      members.reserve(map.m_size);
      for (const auto& member : map) {
        members.push_back(&member);
      }
      std::sort(members.begin(), members.end(),
                [](const value_type* x, const value_type* y) { return x->first < y->first; });
      return members;
    };
    const auto x = sorted(a);
    const auto y = sorted(b);
    return std::lexicographical_compare_three_way(
      x.begin(), x.end(), y.begin(), y.end(),
      [](const value_type* p, const value_type* q) -> decltype(p->second <=> q->second) {
        if (const auto order = p->first <=> q->first; order != 0) {
          return order;
        }
        return p->second <=> q->second;
      });
  }

private:
  static std::size_t hash_of(std::string_view name) noexcept { return std::hash<std::string_view>{}(name); }

  void reset() noexcept
  {
    m_end.prev = m_end.next = &m_end;
    m_size = 0;
    m_index = nullptr;
    m_capacity = 0;
  }

  // Takes OTHER's members and index, leaving it empty; this map holds nothing.
  void take(ObjectMap& other) noexcept
  {
    m_size = other.m_size;
    m_index = other.m_index;
    m_capacity = other.m_capacity;
    if (other.m_size == 0) {
      m_end.prev = m_end.next = &m_end;
    } else {
      m_end.next = other.m_end.next;
      m_end.prev = other.m_end.prev;
      m_end.next->prev = &m_end;
      m_end.prev->next = &m_end;
    }
    other.reset();
  }

  void release_index() noexcept
  {
    delete[] m_index;
    m_index = nullptr;
    m_capacity = 0;
  }

  static void unlink(Link* link) noexcept
  {
    link->prev->next = link->next;
    link->next->prev = link->prev;
  }
  static void link_before(Link* position, Link* link) noexcept
  {
    link->prev = position->prev;
    link->next = position;
    position->prev->next = link;
    position->prev = link;
  }
  static void destroy(Node* node) noexcept { delete node; }

  static bool same_name(const Node* node, std::string_view name, std::size_t hash) noexcept
  {
    const Key& key = node->value.first;
    return node->hash == hash && key.size() == name.size()
           && std::memcmp(key.data(), name.data(), name.size()) == 0;
  }

  // The member NAME (whose hash is HASH), or &m_end.
  Link* locate(std::string_view name, std::size_t hash) noexcept
  {
    if (m_capacity == 0) {
      for (Link* link = m_end.next; link != &m_end; link = link->next) {
        if (same_name(static_cast<Node*>(link), name, hash)) {
          return link;
        }
      }
      return &m_end;
    }
    const std::size_t mask = m_capacity - 1;
    for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
      Node* node = m_index[slot];
      if (node == nullptr) {
        return &m_end;
      }
      if (same_name(node, name, hash)) {
        return node;
      }
    }
  }

  // Adds a new node at the end (its name is not in the map).
  template <class K, class... Args>
  Link* append(std::size_t hash, K&& name, Args&&... args)
  {
    if (m_capacity == 0 ? m_size + 1 > k_linear : (m_size + 1) * 2 > m_capacity) {
      rebuild(std::max<std::size_t>(m_capacity * 2, 32));
    }
    Node* node = new Node(hash, std::piecewise_construct, std::forward_as_tuple(std::forward<K>(name)),
                          std::forward_as_tuple(std::forward<Args>(args)...));
    link_before(&m_end, node);
    ++m_size;
    if (m_capacity != 0) {
      place(node);
    }
    return node;
  }

  void place(Node* node) noexcept
  {
    const std::size_t mask = m_capacity - 1;
    std::size_t slot = node->hash & mask;
    while (m_index[slot] != nullptr) {
      slot = (slot + 1) & mask;
    }
    m_index[slot] = node;
  }

  // Builds an index of at least CAPACITY slots (rounded up to a power of two).
  void rebuild(std::size_t capacity)
  {
    std::size_t size = 32;
    while (size < capacity) {
      size *= 2;
    }
    Node** index = new Node*[size]();
    delete[] m_index;
    m_index = index;
    m_capacity = size;
    for (Link* link = m_end.next; link != &m_end; link = link->next) {
      place(static_cast<Node*>(link));
    }
  }

  // Takes NODE out of the index, moving back the entries after it that would be lost.
  void unindex(Node* node) noexcept
  {
    if (m_capacity == 0) {
      return;
    }
    const std::size_t mask = m_capacity - 1;
    std::size_t hole = node->hash & mask;
    while (m_index[hole] != node) {
      hole = (hole + 1) & mask;
    }
    for (std::size_t slot = (hole + 1) & mask; m_index[slot] != nullptr; slot = (slot + 1) & mask) {
      const std::size_t home = m_index[slot]->hash & mask;
      // The entry at SLOT may fill the hole unless its home lies after the hole (cyclically).
      if (((slot - home) & mask) >= ((slot - hole) & mask)) {
        m_index[hole] = m_index[slot];
        hole = slot;
      }
    }
    m_index[hole] = nullptr;
  }

  Link m_end;               // the sentinel: m_end.next is the first member, m_end.prev the last
  std::size_t m_size = 0;
  Node** m_index = nullptr; // m_capacity slots, or none while the map is small
  std::size_t m_capacity = 0;
};

} // namespace json::detail
