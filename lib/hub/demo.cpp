#include "hub/demo.hpp"

#include <charconv>
#include <ctime>

namespace hub {
namespace {

constexpr const char* k_workers[] = {"a", "b", "c"};

std::string iso_time(std::chrono::system_clock::time_point when)
{
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

/// The patch of round K (1, 2, ...): a job is queued, taken by a worker, finished; repeat.
std::string patch_for(std::size_t k)
{
  const std::string job = "\"job-" + std::to_string((k + 2) / 3) + "\"";
  const std::string worker = k_workers[((k - 1) / 3) % 3];
  switch (k % 3) {
  case 1:
    return R"([{"op":"add","path":"/queue/-","value":)" + job + "}]";
  case 2:
    return R"([{"op":"replace","path":"/workers/)" + worker + R"(","value":)" + job +
           R"(},{"op":"remove","path":"/queue/0"}])";
  default:
    return R"([{"op":"replace","path":"/workers/)" + worker +
           R"(","value":"idle"},{"op":"replace","path":"/done","value":)" +
           std::to_string(k / 3) + "}]";
  }
}

} // namespace

DemoProgram::DemoProgram(std::chrono::milliseconds tick,
                         std::function<std::chrono::system_clock::time_point()> now)
  : m_tick(tick), m_now(std::move(now))
{
}

// Steps: 0 a comment, 1 the snapshot (id 1), then for round k = 1, 2, ...: a tick (id 2k)
// after a second, and the round's patch (id 2k+1) right after it.
Step DemoProgram::make(std::size_t index) const
{
  Step step;
  if (index == 0) {
    step.kind = Step::Kind::comment;
    step.text = "sse demo: a build farm dashboard; rebuild it with sse tail --apply";
    return step;
  }
  step.kind = Step::Kind::event;
  step.event.id = std::to_string(index);
  if (index == 1) {
    step.event.type = "json_snapshot";
    step.event.data =
      R"({"title":"Build farm","workers":{"a":"idle","b":"idle","c":"idle"},"queue":[],"done":0})";
    step.event.retry = 3000;
    return step;
  }
  const std::size_t k = index / 2;
  if (index % 2 == 0) {
    step.delay = m_tick;
    step.event.type = "tick";
    step.event.data = iso_time(m_now());
  } else {
    step.event.type = "json_patch";
    step.event.data = patch_for(k);
  }
  return step;
}

const Step* DemoProgram::step(std::size_t index)
{
  m_current = make(index);
  return &m_current;
}

std::optional<std::size_t> DemoProgram::resume_after(const std::string& id)
{
  std::size_t number = 0;
  const auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), number);
  if (error != std::errc() || end != id.data() + id.size() || number == 0) {
    return std::nullopt;
  }
  return number + 1;
}

} // namespace hub
