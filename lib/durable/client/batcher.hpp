#pragma once
// Messages from one thread gathered into request bodies for another: while a request is in
// flight the next messages pile up and go together in the following one, up to a size. The
// pile is bounded, so a fast input waits for a slow server instead of filling memory.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace durable {

class Batcher {
public:
  /// JSON: bodies are arrays of the messages; otherwise the messages' bytes joined. A body
  /// holds at most BATCH_MAX bytes unless one message alone is larger. At most CAPACITY bytes
  /// wait in all.
  Batcher(bool json, std::size_t batch_max, std::size_t capacity);

  struct Batch {
    std::string body;
    std::size_t messages = 0;
    bool last = false; ///< the input has ended and nothing follows this batch
  };

  /// Adds a message; waits while the pile is full. False once cancel() was called.
  bool push(std::string_view message);
  /// No more messages will come.
  void finish();
  /// Ends a push() that waits, and every later one.
  void cancel();

  /// The next body, waiting for a first message; once it has one, waits up to LINGER for
  /// more unless the body is full or the input ended. Nullopt when the input ended and all
  /// was taken.
  std::optional<Batch> take(std::chrono::milliseconds linger);

private:
  void seal(); // moves the body being built to the ready queue

  const bool m_json;
  const std::size_t m_batch_max;
  const std::size_t m_capacity;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<Batch> m_ready;
  Batch m_building;
  std::chrono::steady_clock::time_point m_first_arrival;
  std::size_t m_bytes = 0;
  bool m_finished = false;
  bool m_cancelled = false;
};

} // namespace durable
