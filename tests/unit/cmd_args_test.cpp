// Option parsing through the real command table, without starting a process.

#include "commands.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

// Parses ARGS ("sse" excluded) into a fresh app; returns whether parsing succeeded and leaves
// the chosen action in CONTEXT.
bool parse(std::vector<std::string> args, cmd::Context& context)
{
  CLI::App app{"sse", "sse"};
  cmd::configure_app(app, context);
  std::reverse(args.begin(), args.end()); // CLI11 takes the arguments in reverse
  try {
    app.parse(args);
  } catch (const CLI::ParseError&) {
    return false;
  }
  return static_cast<bool>(context.run);
}

TEST(CmdArgs, AcceptsGlobalOptionsBeforeAndAfterTheSubcommand)
{
  cmd::Context before;
  EXPECT_TRUE(parse({"--color", "never", "-v", "parse"}, before));
  EXPECT_EQ(before.color, "never");
  EXPECT_EQ(before.verbosity, 1);
  cmd::Context after;
  EXPECT_TRUE(parse({"parse", "--color", "always", "-vv"}, after));
  EXPECT_EQ(after.color, "always");
  EXPECT_EQ(after.verbosity, 2);
}

TEST(CmdArgs, RejectsWhatTheHelpDoesNotPromise)
{
  const std::vector<std::vector<std::string>> bad = {
    {},
    {"nosuch"},
    {"parse", "--format", "xml"},
    {"parse", "--count", "-f", "json"},
    {"parse", "--count", "--json-data"},
    {"parse", "--max-event-size", "lots"},
    {"format", "--max-line-size", "-1"},
    {"--color", "sometimes", "parse"},
    {"format", "--bogus"},
    // Values the run would have found wrong are refused as they are parsed.
    {"tail", "ftp://example.org/"},
    {"tail", "--proxy", "https://127.0.0.1:9/", "http://127.0.0.1:9/"},
    {"tail", "--live", "sometimes", "http://127.0.0.1:9/"},
    {"tail", "--max-backoff", "1y", "http://127.0.0.1:9/"},
    {"info", "--auth", "", "http://127.0.0.1:9/s"},
    {"info", "bad name!"},
    {"replay", "-f", "raw"},
    {"serve", "--shared", "--demo"},
    {"serve", "--demo", "--cors", "app.example"},
    {"serve", "--demo", "--eol", "nl"},
  };
  for (const auto& args : bad) {
    cmd::Context context;
    std::string joined;
    for (const auto& arg : args) {
      joined += arg + " ";
    }
    EXPECT_FALSE(parse(args, context)) << joined;
  }
}

TEST(CmdArgs, EveryCommandInTheTableIsRegistered)
{
  cmd::Context context;
  CLI::App app{"sse", "sse"};
  cmd::configure_app(app, context);
  for (const auto& command : cmd::commands()) {
    EXPECT_NO_THROW(app.get_subcommand(command.name)) << command.name;
  }
}

} // namespace
