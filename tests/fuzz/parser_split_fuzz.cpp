// libFuzzer target: an input fed in arbitrary pieces must give exactly the events, comments,
// retries, failure and raw bytes that the same input fed whole gives, and count_only must
// count the same events. The first bytes of the fuzz input choose the split points and the
// size limit, the rest is the stream.

#include "json/ndjson.hpp"
#include "sse/parser.hpp"

#include "split_input.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Recorder : sse::ParserHandler {
  std::string log;
  std::string raw;
  std::size_t events = 0;
  void on_event(const sse::EventView& event) override
  {
    ++events;
    json::append_event(log, event, false);
    log.push_back('\n');
    raw.append(event.raw);
  }
  void on_comment(std::string_view text) override
  {
    log.append("comment ");
    json::append_string(log, text);
    log.push_back('\n');
  }
  void on_retry(std::uint64_t ms) override { log.append("retry " + std::to_string(ms) + "\n"); }
  void on_raw(std::string_view bytes) override { raw.append(bytes); }
};

struct Outcome {
  std::string log;
  std::string raw;
  std::size_t events;
  bool failed;
};

Outcome run(std::string_view stream, const std::vector<std::size_t>& sizes, std::size_t limit,
            bool count_only = false)
{
  Recorder recorder;
  sse::ParserOptions options;
  options.max_event_size = limit;
  options.keep_raw = !count_only;
  options.count_only = count_only;
  sse::Parser parser(recorder, options);
  std::size_t at = 0;
  std::size_t next = 0;
  while (at < stream.size() && !parser.failed()) {
    std::size_t size = sizes.empty() ? stream.size() : sizes[next++ % sizes.size()];
    size = std::min(size, stream.size() - at);
    parser.feed(stream.substr(at, size));
    at += size;
  }
  parser.finish();
  return {recorder.log, recorder.raw, recorder.events, parser.failed()};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const auto input = split_input(data, size, 7);
  if (!input) {
    return 0;
  }
  // The setting: a small event-size limit, or none.
  const std::size_t limit = input->setting < 32 ? 16 + input->setting * 4 : 1 << 20;
  const std::string_view stream = input->stream;
  const std::vector<std::size_t>& sizes = input->sizes;

  const Outcome whole = run(stream, {}, limit);
  const Outcome split = run(stream, sizes, limit);
  const Outcome bytes = run(stream, {1}, limit);
  // The size limit must trip at the same line however the input is split.
  if (whole.log != split.log || whole.log != bytes.log || whole.failed != split.failed
      || whole.failed != bytes.failed) {
    std::abort();
  }
  // Counting without decoding must find the same events and trip the limit at the same place.
  const Outcome counted = run(stream, sizes, limit, true);
  if (counted.events != whole.events || counted.failed != whole.failed) {
    std::abort();
  }
  if (whole.failed) {
    return 0;
  }
  if (whole.raw != stream || split.raw != stream || bytes.raw != stream) {
    std::abort();
  }
  return 0;
}
