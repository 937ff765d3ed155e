#include "store/memory_store.hpp"

#include <algorithm>

namespace store {

std::vector<std::pair<std::string, StreamMeta>> MemoryStore::load()
{
  const std::lock_guard lock(m_mutex);
  std::vector<std::pair<std::string, StreamMeta>> all;
  for (const auto& [name, stream] : m_streams) {
    all.emplace_back(name, stream.meta);
  }
  return all;
}

void MemoryStore::create(const std::string& name, const StreamMeta& meta,
                         std::vector<std::string> records, Done done)
{
  {
    const std::lock_guard lock(m_mutex);
    m_streams.erase(name);
  }
  append(name, meta, std::move(records), std::move(done));
}

void MemoryStore::append(const std::string& name, const StreamMeta& meta,
                         std::vector<std::string> records, Done done)
{
  {
    const std::lock_guard lock(m_mutex);
    Stream& stream = m_streams[name];
    std::uint64_t position = stream.records.empty()
                               ? meta.fork_offset
                               : stream.records.back().position + stream.records.back().bytes.size();
    for (auto& bytes : records) {
      const std::uint64_t size = bytes.size();
      stream.records.push_back(Record{position, std::move(bytes)});
      position += size;
    }
    stream.meta = meta;
  }
  done(nullptr);
}

void MemoryStore::remove(const std::string& name, Done done)
{
  {
    const std::lock_guard lock(m_mutex);
    m_streams.erase(name);
  }
  done(nullptr);
}

std::vector<Record> MemoryStore::read(const std::string& name, std::uint64_t from,
                                      std::size_t max_bytes)
{
  return read_by_visiting(name, from, max_bytes);
}

void MemoryStore::read_each(const std::string& name, std::uint64_t from, std::size_t max_bytes,
                            const Visitor& each)
{
  const std::lock_guard lock(m_mutex);
  const auto found = m_streams.find(name);
  if (found == m_streams.end()) {
    return;
  }
  const auto& records = found->second.records;
  // The first record that ends after FROM.
  auto it = std::upper_bound(records.begin(), records.end(), from,
                             [](std::uint64_t position, const Record& record) {
                               return position < record.position + record.bytes.size();
                             });
  std::size_t collected = 0;
  for (bool first = true; it != records.end() && (first || collected < max_bytes); ++it) {
    first = false;
    collected += it->bytes.size();
    each(it->position, it->bytes);
  }
}

} // namespace store
