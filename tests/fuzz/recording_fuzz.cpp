// libFuzzer target: record::read_recording, the reader of recordings (`sse replay`,
// `sse serve --replay`). Any input gives entries or a util::Error, and with a skip handler
// always entries; no other exception, no crash. Times never go backwards and stay within
// util::k_max_duration, and the events read, written again as a recording, read back the same.

#include "record/recording.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void check(const std::vector<record::Entry>& entries)
{
  std::uint64_t last = 0;
  std::string again;
  std::vector<const record::Entry*> written;
  for (const record::Entry& entry : entries) {
    if (entry.t) {
      if (*entry.t < last || *entry.t > static_cast<std::uint64_t>(util::k_max_duration.count())) {
        std::abort();
      }
      last = *entry.t;
    }
    if (entry.kind == record::Entry::Kind::event) {
      record::append_event(again, entry.event.view(), entry.t.value_or(last));
      written.push_back(&entry);
    } else if (entry.kind == record::Entry::Kind::reconnect) {
      record::append_reconnect(again, entry.t.value_or(last));
      written.push_back(&entry);
    }
  }
  const auto read_back = record::read_recording(again, "again.ndjson");
  if (read_back.size() != written.size()) {
    std::abort();
  }
  for (std::size_t i = 0; i < written.size(); ++i) {
    if (read_back[i].kind != written[i]->kind || read_back[i].event != written[i]->event) {
      std::abort();
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    check(record::read_recording(text, "fuzz.ndjson"));
  } catch (const util::Error& e) {
    if (e.code() != util::Errc::bad_input || e.where().rfind("fuzz.ndjson:", 0) != 0) {
      std::abort();
    }
  }
  std::size_t skipped = 0;
  check(record::read_recording(text, "fuzz.ndjson",
                               [&](const std::string&, const std::string&) { ++skipped; }));
  return 0;
}
