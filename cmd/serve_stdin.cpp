#include "serve_stdin.hpp"

#include "io.hpp"
#include "json/ndjson.hpp"
#include "sse/formatter.hpp"
#include "sse/parser.hpp"
#include "util/error.hpp"

#include <condition_variable>
#include <mutex>
#include <variant>
#include <vector>

namespace cmd {

namespace {

/// Events read but not yet published; the reader waits beyond this, so a fast producer and a
/// slow loop cannot grow memory without bound.
constexpr std::size_t k_max_in_flight = 16 * 1024;

using Item = std::variant<sse::Event, json::Comment>;

} // namespace

/// What the reader thread and the loop share; it outlives whichever of them ends last.
struct StdinFeeder::Shared {
  std::mutex mutex;
  std::condition_variable room;
  std::size_t in_flight = 0;
  bool closed = false; ///< the feeder is gone: stop reading
};

StdinFeeder::StdinFeeder(net::EventLoop& loop, hub::Broadcast& broadcast, StdinFormat format,
                         std::uint64_t max_event_size,
                         std::function<void(std::exception_ptr)> on_end)
  : m_loop(loop), m_broadcast(broadcast), m_format(format), m_max_event_size(max_event_size),
    m_on_end(std::move(on_end)), m_shared(std::make_shared<Shared>())
{
}

StdinFeeder::~StdinFeeder()
{
  const std::lock_guard lock(m_shared->mutex);
  m_shared->closed = true;
  m_shared->room.notify_all();
}

void StdinFeeder::start()
{
  // Detached: a read() of a quiet pipe cannot be interrupted, and the process ends with the
  // loop anyway. The thread touches the feeder only through posts run on the loop thread,
  // which runs them only while the feeder lives.
  std::thread([this, shared = m_shared]() { read_all(); }).detach();
}

void StdinFeeder::read_all()
{
  const auto shared = m_shared;
  std::vector<Item> batch;
  auto post_batch = [&]() {
    if (batch.empty()) {
      return;
    }
    {
      std::unique_lock lock(shared->mutex);
      shared->room.wait(lock, [&]() { return shared->in_flight < k_max_in_flight || shared->closed; });
      if (shared->closed) {
        throw StdoutClosed{}; // only to unwind: nobody is listening any more
      }
      shared->in_flight += batch.size();
      // Posted under the lock, so the feeder (and the loop, made before it) cannot be gone.
      m_loop.post([this, shared, items = std::move(batch)]() mutable {
      for (auto& item : items) {
        if (auto* event = std::get_if<sse::Event>(&item)) {
          m_broadcast.publish(std::move(*event));
        } else {
          m_broadcast.publish_comment(std::get<json::Comment>(item).text);
        }
      }
      const std::lock_guard inner(shared->mutex);
      shared->in_flight -= items.size();
      shared->room.notify_all();
    });
    }
    batch = {};
  };

  std::exception_ptr failure;
  try {
    Input input("-");
    if (m_format == StdinFormat::sse) {
      struct Collect : sse::ParserHandler {
        std::vector<Item>* batch = nullptr;
        void on_event(const sse::EventView& event) override { batch->emplace_back(sse::to_event(event)); }
      } collect;
      collect.batch = &batch;
      sse::ParserOptions options;
      options.max_event_size = m_max_event_size;
      sse::Parser parser(collect, options);
      for (auto chunk = input.read(); !chunk.empty(); chunk = input.read()) {
        if (!parser.feed(chunk)) {
          throw util::Error(util::Errc::bad_input,
                            sse::describe(parser.failure(), m_max_event_size), "stdin",
                            {util::Setting::max_event_size});
        }
        post_batch();
      }
      parser.finish();
      post_batch();
    } else {
      read_lines(
        input, m_max_event_size, "event size ", "--max-event-size",
        [&](std::string_view line, std::uint64_t number) {
          if (m_format == StdinFormat::lines) {
            if (!line.empty() && line.back() == '\r') {
              line.remove_suffix(1);
            }
            sse::Event event;
            event.data = line;
            batch.emplace_back(std::move(event));
            return;
          }
          if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
            return;
          }
          try {
            auto item = json::parse_event_line(line);
            if (auto* event = std::get_if<sse::Event>(&item)) {
              if (const auto problem = sse::Formatter::check(event->view());
                  problem != sse::FormatProblem::none) {
                throw util::Error(util::Errc::bad_input, std::string(sse::describe(problem)));
              }
              batch.emplace_back(std::move(*event));
            } else {
              batch.emplace_back(std::move(std::get<json::Comment>(item)));
            }
          } catch (const util::Error& e) {
            throw e.at("stdin:" + std::to_string(number));
          }
        },
        post_batch);
      post_batch();
    }
  } catch (const StdoutClosed&) {
    return;
  } catch (...) {
    failure = std::current_exception();
    try {
      post_batch(); // the events before the bad line are served
    } catch (...) {
    }
  }
  const std::lock_guard lock(shared->mutex);
  if (!shared->closed) {
    m_loop.post([this, failure]() { m_on_end(failure); });
  }
}

} // namespace cmd
