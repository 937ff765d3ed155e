// record::read_recording: the bounds it puts on what a recording may say.

#include "record/recording.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(RecordRecording, RefusesATimeTooFarToWaitFor)
{
  // A "t" past the bound, later a wait, wrapped around and played at once.
  try {
    record::read_recording("{\"data\":\"a\",\"t\":0}\n{\"data\":\"b\",\"t\":18446744073709551615}\n",
                           "r.ndjson");
    ADD_FAILURE() << "no error";
  } catch (const util::Error& e) {
    EXPECT_EQ(e.code(), util::Errc::bad_input);
    EXPECT_EQ(e.where(), "r.ndjson:2");
    EXPECT_NE(std::string(e.what()).find("\"t\" must be at most"), std::string::npos) << e.what();
  }
  const auto entries =
    record::read_recording("{\"data\":\"a\",\"t\":1000000000000}\n", "r.ndjson");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].t, 1'000'000'000'000U);
}

TEST(RecordRecording, ANumberTooLargeForADoubleIsBadInput)
{
  // The JSON reader throws out_of_range, not parse_error, for it (found by script_fuzz).
  try {
    record::read_recording("{\"data\":\"a\",\"t\":1e400}\n", "r.ndjson");
    ADD_FAILURE() << "no error";
  } catch (const util::Error& e) {
    EXPECT_EQ(e.code(), util::Errc::bad_input);
    EXPECT_EQ(e.where(), "r.ndjson:1");
  }
}

} // namespace
