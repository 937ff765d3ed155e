// What `sse __complete` offers, worked out over the real command table.

#include "commands.hpp"
#include "complete.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using Kind = cmd::Completion::Kind;

class CmdComplete : public ::testing::Test {
protected:
  CmdComplete() { cmd::configure_app(m_app, m_context); }

  cmd::Completion complete(std::vector<std::string> words) { return cmd::complete(m_app, words); }

  // The candidates' words only.
  std::vector<std::string> words(std::vector<std::string> line)
  {
    std::vector<std::string> offered;
    for (const auto& candidate : complete(std::move(line)).candidates) {
      offered.push_back(candidate.word);
    }
    return offered;
  }

  cmd::Context m_context;
  CLI::App m_app{"sse", "sse"};
};

using Words = std::vector<std::string>;

TEST_F(CmdComplete, OffersTheVisibleSubcommandsWithTheirSummaries)
{
  const auto completion = complete({""});
  ASSERT_EQ(completion.kind, Kind::words);
  Words expected;
  for (const auto& command : cmd::commands()) {
    if (!command.hidden) {
      expected.emplace_back(command.name);
    }
  }
  EXPECT_EQ(words({""}), expected);
  EXPECT_EQ(completion.candidates.front().description, cmd::commands().front().summary);
  EXPECT_EQ(words({"pa"}), (Words{"parse", "patch"}));
  EXPECT_TRUE(words({"__"}).empty()); // hidden
  EXPECT_TRUE(words({"tial", ""}).empty()); // no such command: nothing after it
}

TEST_F(CmdComplete, OffersTheGlobalOptionsAndTheSubcommandsOnce)
{
  const auto global = words({"-"});
  EXPECT_EQ(global.size(), 6U) << ::testing::PrintToString(global); // -h --help --version -v --verbose --color
  const auto parse = words({"parse", "--"});
  for (const char* name : {"--color", "--verbose", "--version", "--help", "--format", "--json-data", "--count",
                           "--max-event-size"}) {
    EXPECT_EQ(std::count(parse.begin(), parse.end(), name), 1) << name;
  }
  EXPECT_EQ(parse.size(), 8U) << ::testing::PrintToString(parse);
  EXPECT_EQ(words({"append", "--cl"}), (Words{"--claim", "--close"}));
}

TEST_F(CmdComplete, OffersAnOptionsChoicesInBothForms)
{
  EXPECT_EQ(words({"parse", "-f", ""}), (Words{"json", "pretty", "data", "sse", "raw"}));
  EXPECT_EQ(words({"parse", "--format", "p"}), (Words{"pretty"}));
  EXPECT_EQ(words({"parse", "--format=js"}), (Words{"--format=json"}));
  EXPECT_EQ(words({"--color", ""}), (Words{"auto", "always", "never"}));
  EXPECT_EQ(words({"tail", "--live=l"}), (Words{"--live=long-poll"}));
}

TEST_F(CmdComplete, AnOptionsValueIsNotTakenForTheSubcommand)
{
  EXPECT_EQ(words({"--color", "never", "parse", "--c"}), (Words{"--color", "--count"}));
  EXPECT_EQ(words({"--color=never", "-v", "format", "--l"}), (Words{"--lines"}));
  // --linger takes a DUR in append and is a flag in serve.
  EXPECT_TRUE(words({"append", "--linger", ""}).empty());
  EXPECT_EQ(words({"serve", "--linger", "--ho"}), (Words{"--host"}));
}

TEST_F(CmdComplete, FreeValuesGetNothing)
{
  for (const Words& line : {Words{"tail", ""}, Words{"tail", "--event", ""}, Words{"append", "--producer", ""},
                            Words{"parse", "--max-event-size", ""}, Words{"tail", "--format=json", "URL", ""}}) {
    const auto completion = complete(line);
    EXPECT_EQ(completion.kind, Kind::words) << ::testing::PrintToString(line);
    EXPECT_TRUE(completion.candidates.empty()) << ::testing::PrintToString(line);
  }
}

TEST_F(CmdComplete, AsksForFilesDirectoriesAndCommandsByTheValuesName)
{
  EXPECT_EQ(complete({"parse", "st"}).kind, Kind::files);
  EXPECT_EQ(complete({"replay", "a.ndjson", ""}).kind, Kind::files);
  EXPECT_EQ(complete({"tail", "--record", ""}).kind, Kind::files);
  EXPECT_EQ(complete({"tail", "--cacert=/et"}).kind, Kind::files);
  EXPECT_EQ(complete({"serve", "--data-dir", ""}).kind, Kind::directories);
  EXPECT_EQ(complete({"serve", "--exec", "--", ""}).kind, Kind::commands);
  EXPECT_EQ(complete({"serve", "--exec", "--", "grep", "-"}).kind, Kind::files); // its arguments
}

TEST_F(CmdComplete, HelpTakesOneSubcommand)
{
  EXPECT_EQ(words({"help", "f"}), (Words{"format"}));
  EXPECT_EQ(words({"-v", "help", "pa"}), (Words{"parse", "patch"}));
  EXPECT_TRUE(words({"help", "parse", ""}).empty());
}

TEST_F(CmdComplete, PrintsDirectivesAndCandidatesOneALine)
{
  EXPECT_EQ(cmd::completion_lines(complete({"parse", ""})), ":file\n");
  EXPECT_EQ(cmd::completion_lines(complete({"--color", "a"})), "auto\nalways\n");
  EXPECT_EQ(cmd::completion_lines(complete({"for"})),
            std::string("format\t") + cmd::find_command("format")->summary + "\n");
  EXPECT_EQ(cmd::completion_lines(complete({"tail", ""})), "");
}

TEST_F(CmdComplete, EveryOptionIsOfferedWhereItIsParsed)
{
  for (const CLI::App* sub : cmd::visible_subcommands(m_app)) {
    const auto offered = words({sub->get_name(), "-"});
    for (const CLI::Option* option : sub->get_options()) {
      for (const auto& name : cmd::names_of(*option)) {
        EXPECT_NE(std::find(offered.begin(), offered.end(), name), offered.end())
          << sub->get_name() << ' ' << name;
      }
    }
  }
}

} // namespace
