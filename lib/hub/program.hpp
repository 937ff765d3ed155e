#pragma once
// A stream played to each client on its own, step by step, from the start or from where the
// client's Last-Event-ID says it stopped: a script, or the built-in demo.

#include "hub/script.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace hub {

class Program {
public:
  virtual ~Program() = default;
  /// The step at INDEX, valid until the next call; nullptr past the end (a program may be
  /// endless).
  virtual const Step* step(std::size_t index) = 0;
  /// The index a client that has seen the event with ID goes on from: the next event, so a
  /// fault between two events is not repeated and a dropped client does not loop. nullopt
  /// when no event has that id.
  virtual std::optional<std::size_t> resume_after(const std::string& id) = 0;
};

/// A Program over a parsed script.
class ScriptProgram : public Program {
public:
  explicit ScriptProgram(std::vector<Step> steps) : m_steps(std::move(steps)) {}
  const Step* step(std::size_t index) override
  {
    return index < m_steps.size() ? &m_steps[index] : nullptr;
  }
  std::optional<std::size_t> resume_after(const std::string& id) override;

private:
  std::vector<Step> m_steps;
};

} // namespace hub
