// The reconnect rules of http::EventSource against a fake transport that plays scripted
// responses, so every decision is checked without a network or a clock that matters.

#include "fake_transport.hpp"
#include "http/event_source.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace {

using namespace std::chrono_literals;
using Outcome = http::TransferResult::Outcome;

using test_http::FakeTransport;
using test_http::Scripted;

struct Recorder : http::EventSourceHandler {
  std::vector<std::string> events;
  std::vector<std::string> reconnects;
  std::size_t stop_after = 0;
  void on_event(const sse::EventView& event) override
  {
    events.push_back(std::string(event.data) + "#" + std::string(event.id));
  }
  void on_reconnect(std::chrono::milliseconds, const std::string& why, util::Setting) override
  {
    reconnects.push_back(why);
  }
  bool done() const override { return stop_after != 0 && events.size() >= stop_after; }
};

http::EventSourceOptions options(const char* method = "GET")
{
  http::EventSourceOptions o;
  o.request.method = method;
  o.request.url = http::parse_url("http://127.0.0.1:1/s");
  o.retry = 1ms;
  o.max_backoff = 2ms;
  o.seed = 1;
  return o;
}

util::Errc error_of(http::Transport& transport, http::EventSourceOptions o, Recorder& recorder)
{
  try {
    http::EventSource(transport, std::move(o), recorder).run();
  } catch (const util::Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return util::Errc::runtime;
}

TEST(HttpEventSource, ResumesWithLastEventIdAndStopsOn204)
{
  FakeTransport transport;
  transport.responses = {{200, {{"Content-Type", "text/event-stream; charset=utf-8"}},
                          {"id: 1\ndata: a\n\nid: 2\nda", "ta: b\n\ndata: cut"}, Outcome::broken},
                         {200, {{"content-type", "TEXT/Event-Stream"}}, {"data: c\n\n"}},
                         {204, {}, {}}};
  Recorder recorder;
  http::EventSource source(transport, options(), recorder);
  source.run();
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"a#1", "b#2", "c#2"}));
  ASSERT_EQ(transport.requests.size(), 3U);
  EXPECT_FALSE(http::find_header(transport.requests[0].headers, "Last-Event-ID"));
  EXPECT_EQ(http::find_header(transport.requests[1].headers, "Last-Event-ID"), "2");
  EXPECT_EQ(http::find_header(transport.requests[0].headers, "Accept"), "text/event-stream");
  EXPECT_EQ(recorder.reconnects, (std::vector<std::string>{"connection reset", ""}));
  EXPECT_EQ(source.last_event_id(), "2");
}

TEST(HttpEventSource, FatalStatusesAreHttpErrorsAtOnce)
{
  for (int status : {400, 401, 403, 404, 410}) {
    FakeTransport transport;
    transport.responses = {{status, {{"Content-Type", "text/plain"}}, {"nope"}}};
    Recorder recorder;
    EXPECT_EQ(error_of(transport, options(), recorder), util::Errc::http_status) << status;
    EXPECT_EQ(transport.requests.size(), 1U);
  }
}

TEST(HttpEventSource, RetryableStatusesAreRetried)
{
  for (int status : {408, 429, 500, 502, 503}) {
    FakeTransport transport;
    transport.responses = {{status, {}, {}}, {200, {{"Content-Type", "text/event-stream"}}, {"data: ok\n\n"}},
                           {204, {}, {}}};
    Recorder recorder;
    http::EventSource(transport, options(), recorder).run();
    EXPECT_EQ(recorder.events, (std::vector<std::string>{"ok#"})) << status;
  }
}

/// A recorder that keeps the wait before each reconnection.
struct Waits : Recorder {
  std::vector<std::chrono::milliseconds> waits;
  void on_reconnect(std::chrono::milliseconds wait, const std::string&, util::Setting) override
  {
    waits.push_back(wait);
  }
};

TEST(HttpEventSource, ARetryAfterOfYearsWaitsNoLongerThanMaxBackoff)
{
  FakeTransport transport;
  transport.responses = {{503, {{"Retry-After", "99999999"}}, {}}, {204, {}, {}}};
  auto o = options();
  o.max_backoff = 20ms;
  Waits recorder;
  http::EventSource(transport, o, recorder).run();
  EXPECT_EQ(recorder.waits, (std::vector<std::chrono::milliseconds>{20ms}));
}

TEST(HttpEventSource, RetryAfterIsAFloorNotAReplacementForTheWait)
{
  FakeTransport transport;
  // Retry-After: 0 asks for less than the backoff: the backoff stands; 1 s asks for more.
  transport.responses = {{503, {{"Retry-After", "0"}}, {}}, {503, {{"Retry-After", "1"}}, {}},
                         {204, {}, {}}};
  auto o = options();
  o.retry = 20ms;
  o.max_backoff = 5s;
  Waits recorder;
  http::EventSource(transport, o, recorder).run();
  ASSERT_EQ(recorder.waits.size(), 2U);
  EXPECT_GE(recorder.waits[0], 20ms);
  EXPECT_EQ(recorder.waits[1], 1000ms);
}

TEST(HttpEventSource, ARequestTheTransportCannotSendIsAUsageErrorNotRetried)
{
  FakeTransport transport;
  transport.responses = {{0, {}, {}, Outcome::invalid_request}};
  Recorder recorder;
  EXPECT_EQ(error_of(transport, options(), recorder), util::Errc::usage);
  EXPECT_EQ(transport.requests.size(), 1U);
}

TEST(HttpEventSource, AResponseThatIsNotAnEventStreamIsBadInput)
{
  FakeTransport transport;
  transport.responses = {{200, {{"Content-Type", "application/json"}}, {"{}"}}};
  Recorder recorder;
  EXPECT_EQ(error_of(transport, options(), recorder), util::Errc::bad_input);
}

TEST(HttpEventSource, NonGetRequestsAreNotResentUnlessAllowed)
{
  FakeTransport transport;
  transport.responses = {{200, {{"Content-Type", "text/event-stream"}}, {"data: x\n\n"}, Outcome::broken}};
  Recorder recorder;
  EXPECT_EQ(error_of(transport, options("POST"), recorder), util::Errc::runtime);
  EXPECT_EQ(transport.requests.size(), 1U);

  FakeTransport clean;
  clean.responses = {{200, {{"Content-Type", "text/event-stream"}}, {"data: x\n\n"}}};
  Recorder quiet;
  http::EventSource(clean, options("POST"), quiet).run(); // a clean end: no error, no resend
  EXPECT_EQ(clean.requests.size(), 1U);

  FakeTransport allowed;
  allowed.responses = {{200, {{"Content-Type", "text/event-stream"}}, {"data: x\n\n"}, Outcome::broken},
                       {204, {}, {}}};
  auto o = options("POST");
  o.retry_non_get = true;
  Recorder again;
  http::EventSource(allowed, o, again).run();
  EXPECT_EQ(allowed.requests.size(), 2U);
}

TEST(HttpEventSource, GivesUpAfterMaxRetriesInARowWithoutAnEvent)
{
  FakeTransport transport;
  transport.responses = {{0, {}, {}, Outcome::connect_failed}};
  auto o = options();
  o.max_retries = 3;
  Recorder recorder;
  EXPECT_EQ(error_of(transport, o, recorder), util::Errc::runtime);
  EXPECT_EQ(transport.requests.size(), 4U);
}

TEST(HttpEventSource, EventsResetTheRetryCount)
{
  FakeTransport transport;
  for (int i = 0; i < 5; ++i) {
    transport.responses.push_back({200, {{"Content-Type", "text/event-stream"}}, {"data: e\n\n"}, Outcome::broken});
  }
  transport.responses.push_back({204, {}, {}});
  auto o = options();
  o.max_retries = 1;
  Recorder recorder;
  http::EventSource(transport, o, recorder).run();
  EXPECT_EQ(recorder.events.size(), 5U);
}

TEST(HttpEventSource, NoReconnectEndsCleanlyOrWithAnError)
{
  FakeTransport clean;
  clean.responses = {{200, {{"Content-Type", "text/event-stream"}}, {"data: e\n\n"}}};
  auto o = options();
  o.reconnect = false;
  Recorder recorder;
  http::EventSource(clean, o, recorder).run();
  EXPECT_EQ(clean.requests.size(), 1U);

  FakeTransport broken;
  broken.responses = {{0, {}, {}, Outcome::connect_failed}};
  EXPECT_EQ(error_of(broken, o, recorder), util::Errc::runtime);
}

TEST(HttpEventSource, TheHandlerStopsTheStreamMidChunk)
{
  FakeTransport transport;
  transport.responses = {{200, {{"Content-Type", "text/event-stream"}}, {"data: 1\n\ndata: 2\n\ndata: 3\n\n"}}};
  Recorder recorder;
  recorder.stop_after = 2;
  http::EventSource(transport, options(), recorder).run();
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"1#", "2#"}));
  EXPECT_EQ(transport.requests.size(), 1U);
}

TEST(HttpEventSource, AnOversizedEventIsBadInput)
{
  FakeTransport transport;
  transport.responses = {{200, {{"Content-Type", "text/event-stream"}}, {"data: " + std::string(100, 'x') + "\n\n"}}};
  auto o = options();
  o.parser.max_event_size = 50;
  Recorder recorder;
  EXPECT_EQ(error_of(transport, o, recorder), util::Errc::bad_input);
}

TEST(HttpEventSource, UserHeadersReplaceTheDefaults)
{
  FakeTransport transport;
  transport.responses = {{204, {}, {}}};
  auto o = options();
  o.request.headers = {{"accept", "text/event-stream; q=0.9"}};
  o.last_event_id = "start";
  Recorder recorder;
  http::EventSource(transport, o, recorder).run();
  const auto& headers = transport.requests[0].headers;
  EXPECT_EQ(std::count_if(headers.begin(), headers.end(),
                          [](const auto& h) { return h.first == "Accept" || h.first == "accept"; }),
            1);
  EXPECT_EQ(http::find_header(headers, "Last-Event-ID"), "start");
}

} // namespace

namespace {

// Sends headers and one event, then blocks like a silent server until cancel() is called.
class SilentTransport : public http::Transport {
public:
  std::atomic<int> cancels{0};

  http::TransferResult send(const http::Request&, http::ResponseHandler& handler) override
  {
    handler.on_head({200, "OK", {{"Content-Type", "text/event-stream"}}});
    handler.on_body("data: hello\n\n");
    std::unique_lock lock(m_mutex);
    m_cancelled.wait(lock, [this] { return m_cancel; });
    m_cancel = false;
    return {Outcome::cancelled, "cancelled"};
  }
  void cancel() override
  {
    ++cancels;
    {
      std::lock_guard lock(m_mutex);
      m_cancel = true;
    }
    m_cancelled.notify_all();
  }
  void clear_cancel() override
  {
    std::lock_guard lock(m_mutex);
    m_cancel = false;
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_cancelled;
  bool m_cancel = false;
};

TEST(HttpEventSource, TheWatchdogCancelsASilentStreamAtTheIdleTimeout)
{
  SilentTransport transport;
  auto o = options();
  o.reconnect = false;
  o.idle_timeout = 50ms;
  Recorder recorder;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of(transport, o, recorder), util::Errc::timeout);
  EXPECT_GE(transport.cancels.load(), 1);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"hello#"}));
}

TEST(HttpEventSource, TheWatchdogEndsTheWholeRunAtTheTotalTimeout)
{
  SilentTransport transport;
  auto o = options();
  o.timeout = 80ms;
  Recorder recorder;
  EXPECT_EQ(error_of(transport, o, recorder), util::Errc::timeout);
  EXPECT_GE(transport.cancels.load(), 1);
}

TEST(HttpEventSource, InterruptEndsTheRunQuietly)
{
  SilentTransport transport;
  Recorder recorder;
  http::EventSource source(transport, options(), recorder);
  std::thread stopper([&] {
    std::this_thread::sleep_for(30ms);
    source.interrupt();
  });
  EXPECT_NO_THROW(source.run());
  stopper.join();
}

} // namespace
