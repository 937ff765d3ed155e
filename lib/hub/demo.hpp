#pragma once
// The built-in demo stream of `sse serve --demo`: a build farm dashboard whose state arrives
// as a json_snapshot and then changes through json_patch events, with a clock tick every
// second. Endless, and the same for every client, so a client resumes by id.

#include "hub/program.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace hub {

class DemoProgram : public Program {
public:
  /// NOW gives the wall-clock time the ticks carry (ISO 8601, UTC).
  explicit DemoProgram(std::chrono::milliseconds tick = std::chrono::seconds(1),
                       std::function<std::chrono::system_clock::time_point()> now =
                         std::chrono::system_clock::now);

  const Step* step(std::size_t index) override;
  std::optional<std::size_t> resume_after(const std::string& id) override;

private:
  Step make(std::size_t index) const;

  std::chrono::milliseconds m_tick;
  std::function<std::chrono::system_clock::time_point()> m_now;
  Step m_current; ///< the step handed out last (ticks carry the time they are made)
};

} // namespace hub
