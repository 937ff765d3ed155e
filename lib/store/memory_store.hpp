#pragma once
// Streams kept in RAM (`sse serve --durable --memory`): nothing survives a restart; every
// change is done before the call returns.

#include "store/store.hpp"

#include <mutex>
#include <unordered_map>

namespace store {

class MemoryStore : public Store {
public:
  std::vector<std::pair<std::string, StreamMeta>> load() override;
  void create(const std::string& name, const StreamMeta& meta, std::vector<std::string> records,
              Done done) override;
  void append(const std::string& name, const StreamMeta& meta, std::vector<std::string> records,
              Done done) override;
  void remove(const std::string& name, Done done) override;
  std::vector<Record> read(const std::string& name, std::uint64_t from,
                           std::size_t max_bytes) override;
  /// Runs EACH under the store's lock, on the stored bytes.
  void read_each(const std::string& name, std::uint64_t from, std::size_t max_bytes,
                 const Visitor& each) override;

private:
  struct Stream {
    StreamMeta meta;
    std::vector<Record> records;
  };
  std::mutex m_mutex;
  std::unordered_map<std::string, Stream> m_streams;
};

} // namespace store
