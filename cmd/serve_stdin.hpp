#pragma once
// Reads `sse serve`'s stdin on a thread of its own and hands events to the server's loop in
// batches: one line per event, NDJSON event objects, or event-stream text.

#include "hub/broadcast.hpp"
#include "net/event_loop.hpp"

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <thread>

namespace cmd {

enum class StdinFormat { lines, ndjson, sse };

class StdinFeeder {
public:
  /// ON_END runs on the loop thread when stdin ends, with the error that stopped reading early
  /// (a util::Error naming stdin:LINE), or null at a clean end.
  StdinFeeder(net::EventLoop& loop, hub::Broadcast& broadcast, StdinFormat format,
              std::uint64_t max_event_size, std::function<void(std::exception_ptr)> on_end);
  ~StdinFeeder();
  StdinFeeder(const StdinFeeder&) = delete;
  StdinFeeder& operator=(const StdinFeeder&) = delete;

  void start();

private:
  struct Shared;
  void read_all();

  net::EventLoop& m_loop;
  hub::Broadcast& m_broadcast;
  StdinFormat m_format;
  std::uint64_t m_max_event_size;
  std::function<void(std::exception_ptr)> m_on_end;
  std::shared_ptr<Shared> m_shared;
};

} // namespace cmd
