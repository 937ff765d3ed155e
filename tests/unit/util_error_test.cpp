// The library names no command-line flag: its errors carry the util::Setting they follow from
// (and the one they are about), and the words it writes itself (a refusal's body) name a
// setting through the caller's util::SettingNamer; cmd/setting_names.cpp gives the flags.

#include "net/allowed_hosts.hpp"
#include "net/cors.hpp"
#include "record/recording.hpp"
#include "record/timeline.hpp"
#include "setting_names.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace {

using util::Setting;

/// Runs build_timeline over two events ("a", "b") with FROM and TO, and returns its error.
util::Error timeline_error(std::optional<std::string> from, std::optional<std::string> to)
{
  record::TimelineOptions options;
  options.from = std::move(from);
  options.to = std::move(to);
  try {
    record::build_timeline({record::read_recording("id: a\ndata: 1\n\nid: b\ndata: 2\n\n", "r")},
                           options);
  } catch (const util::Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return util::Error(util::Errc::runtime, "none");
}

TEST(UtilError, ATimelineErrorIsAboutItsSettingAndNamesNoFlag)
{
  const util::Error from = timeline_error("nothing", std::nullopt);
  EXPECT_EQ(from.code(), util::Errc::usage);
  EXPECT_EQ(from.subject(), Setting::from);
  EXPECT_TRUE(from.settings().empty());
  EXPECT_EQ(std::string(from.what()).find("--"), std::string::npos) << from.what();
  EXPECT_EQ(cmd::message_of(from),
            "--from nothing: no event has this id, nor is there an event number nothing");

  const util::Error to = timeline_error("b", "a");
  EXPECT_EQ(to.subject(), Setting::to);
  EXPECT_EQ(to.settings(), std::vector<Setting>{Setting::from});
  EXPECT_EQ(std::string(to.what()).find("--"), std::string::npos) << to.what();
  EXPECT_EQ(cmd::message_of(to), "--to a: no event has this id, nor is there an event number a after --from");
  // Moved to another place, it is still about its setting.
  EXPECT_EQ(cmd::message_of(to.at("r")), cmd::message_of(to));
}

TEST(UtilError, RefusalsNameTheSettingTheWayTheCallerSays)
{
  const net::AllowedHosts hosts;
  const std::string host = hosts.refusal("evil.example:80");
  EXPECT_EQ(host.find("--"), std::string::npos) << host;
  EXPECT_NE(host.find("start it with allow_host evil.example"), std::string::npos) << host;
  EXPECT_NE(hosts.refusal("evil.example:80", cmd::setting_flag).find("start it with --allow-host evil.example"),
            std::string::npos);

  const net::CorsPolicy none;
  const std::string page = "http://evil.example";
  const std::string cors = none.refusal(page);
  EXPECT_EQ(cors.find("--"), std::string::npos) << cors;
  EXPECT_EQ(none.refusal(page, cmd::setting_flag),
            "origin 'http://evil.example' is not allowed: start the server with --cors "
            "'http://evil.example' to let its pages in\n");
}

TEST(UtilError, EverySettingHasAnIdOfItsOwnAndAFlag)
{
  std::vector<std::string> ids;
  for (const Setting setting :
       {Setting::max_event_size, Setting::timeout, Setting::idle_timeout, Setting::max_retries,
        Setting::no_reconnect, Setting::retry_post, Setting::apply, Setting::epoch, Setting::claim,
        Setting::producer, Setting::max_lifetime, Setting::client_buffer, Setting::max_clients,
        Setting::allow_host, Setting::cors, Setting::from, Setting::to}) {
    const std::string id(util::setting_id(setting));
    EXPECT_FALSE(id.empty()) << static_cast<int>(setting);
    EXPECT_EQ(id.find('-'), std::string::npos) << id;
    EXPECT_EQ(std::count(ids.begin(), ids.end(), id), 0) << id;
    ids.push_back(id);
    EXPECT_EQ(cmd::setting_flag(setting).rfind("--", 0), 0U) << id;
    EXPECT_EQ(util::name_of({}, setting), id);
    EXPECT_EQ(util::name_of(cmd::setting_flag, setting), cmd::setting_flag(setting));
  }
  EXPECT_EQ(util::setting_id(Setting::none), "");
}

} // namespace
