#pragma once
// What a write says about its producer (DIGEST.md §3.4): Producer-Id, Producer-Epoch and
// Producer-Seq. The client stamps each POST with one (IdempotentProducer); the server checks
// it against the producer's last write (store::Producer keeps that epoch and seq).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace durable {

struct ProducerStamp {
  std::string id;
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;

  /// The three headers, for a request.
  std::vector<std::pair<std::string, std::string>> headers() const;
  /// "ID EPOCH SEQ": how a stream's metadata names the write that closed it.
  std::string tuple() const;
};

} // namespace durable
