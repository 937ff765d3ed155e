// libFuzzer target: hub::parse_script, the reader of `sse serve --script` files. Any input
// gives steps or a util::Error; no other exception, no crash. The steps it gives can be
// played: every wait is within util::k_max_duration, every event can be framed, a status is
// an HTTP status.

#include "hub/script.hpp"
#include "sse/formatter.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<hub::Step> steps;
  try {
    steps = hub::parse_script(text, "fuzz.ndjson");
  } catch (const util::Error& e) {
    if (e.code() != util::Errc::bad_input || e.where().rfind("fuzz.ndjson:", 0) != 0) {
      std::abort();
    }
    return 0;
  }
  for (const hub::Step& step : steps) {
    if (step.delay < std::chrono::milliseconds(0) || step.delay > util::k_max_duration ||
        step.duration < std::chrono::milliseconds(0) || step.duration > util::k_max_duration) {
      std::abort();
    }
    if (step.kind == hub::Step::Kind::event &&
        (step.event.id.empty() ||
         sse::Formatter::check(step.event.view()) != sse::FormatProblem::none)) {
      std::abort();
    }
    if (step.kind == hub::Step::Kind::status && (step.status < 200 || step.status > 599)) {
      std::abort();
    }
  }
  return 0;
}
