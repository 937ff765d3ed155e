#include "setting_names.hpp"

#include <gtest/gtest.h>

namespace {

using util::Setting;

TEST(SettingNames, EverySettingIsNamedByAFlag)
{
  for (const Setting setting :
       {Setting::max_event_size, Setting::timeout, Setting::idle_timeout, Setting::max_retries,
        Setting::no_reconnect, Setting::retry_post, Setting::apply, Setting::epoch, Setting::claim,
        Setting::producer, Setting::max_lifetime, Setting::client_buffer, Setting::max_clients,
        Setting::allow_host, Setting::cors, Setting::from, Setting::to}) {
    EXPECT_NE(cmd::setting_note(setting).find("--"), std::string::npos)
      << static_cast<int>(setting);
  }
  EXPECT_EQ(cmd::setting_note(Setting::none), "");
}

TEST(SettingNames, TheNotesFollowTheMessageInTheOrderOfItsClauses)
{
  const util::Error error(util::Errc::runtime, "giving up after 3 retries: no data for 5s", "URL",
                          {Setting::idle_timeout, Setting::none, Setting::max_retries});
  EXPECT_EQ(cmd::message_of(error),
            "giving up after 3 retries: no data for 5s (--idle-timeout) (--max-retries)");
  // Moved to another place, an error keeps what it follows from.
  EXPECT_EQ(cmd::message_of(error.at("stdin:3")), cmd::message_of(error));
  EXPECT_EQ(error.at("stdin:3").where(), "stdin:3");
}

} // namespace
