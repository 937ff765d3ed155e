// libFuzzer target: arbitrary bytes through the depth-limited JSON reader. Whatever it accepts
// must be within the depth limit (as measured on the value and on the text), dump, read back
// to an equal value, and minify to the same value; whatever it refuses must be refused with
// util::Error. No input, at any depth, may crash it.

#include "json/ndjson.hpp"
#include "json/value.hpp"
#include "util/error.hpp"

#include <pthread.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void check(std::string_view text)
{
  ::json::Value value;
  try {
    value = json::parse_value(text);
  } catch (const util::Error&) {
    return; // refused, as bad input must be
  }
  if (json::depth_of(value) > json::k_max_depth || json::text_depth(text) != json::depth_of(value)) {
    std::abort();
  }
  const std::string dumped = value.dump();
  ::json::Value again;
  try {
    again = json::parse_value(dumped);
  } catch (const util::Error&) {
    std::abort();
  }
  if (again != value) {
    std::abort();
  }
  // Minifying keeps it one valid JSON text within the limit.
  std::string minified;
  if (!json::append_minified(minified, text) || json::parse_value(minified) != value) {
    std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  // nlohmann's dump() and == recurse once per level: about 200 bytes a level in a release
  // build (1000 levels fit a 256KiB stack), but some 9KiB in this Debug build with ASan, more
  // than the main thread's 8MiB at the limit. So the check runs on a thread with room for it.
  struct Input {
    std::string_view text;
  } input{{reinterpret_cast<const char*>(data), size}};
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, 64U << 20);
  pthread_t thread;
  if (pthread_create(&thread, &attributes,
                     [](void* argument) -> void* {
                       check(static_cast<Input*>(argument)->text);
                       return nullptr;
                     },
                     &input)
      != 0) {
    std::abort();
  }
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);
  return 0;
}
