// The typed option helpers: each value is checked and converted as CLI11 parses it, and the
// help shows the bound default in the syntax the option reads.

#include "typed_options.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using std::chrono::milliseconds;

// Parses ARGS into APP; returns the usage error's message, or nothing when parsing succeeded.
std::string parse(CLI::App& app, std::vector<std::string> args)
{
  std::reverse(args.begin(), args.end()); // CLI11 takes the arguments in reverse
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return {};
}

TEST(CmdTypedOptions, DurationsBecomeMillisecondsWithTheDefaultInTheHelp)
{
  CLI::App app;
  milliseconds wait{30'000};
  std::optional<milliseconds> timeout;
  auto* option = cmd::add_duration_option(app, "--wait", wait, "Wait this long");
  cmd::add_duration_option(app, "--timeout", timeout, "Stop after DUR");
  EXPECT_EQ(option->get_description(), "Wait this long (default 30s)");
  EXPECT_EQ(parse(app, {"--wait", "1.5s"}), "");
  EXPECT_EQ(wait, milliseconds(1500));
  EXPECT_FALSE(timeout);
  EXPECT_EQ(parse(app, {"--timeout", "2m"}), "");
  EXPECT_EQ(timeout, milliseconds(120'000));
}

TEST(CmdTypedOptions, ABadDurationIsAUsageErrorNamingTheOption)
{
  CLI::App app;
  std::optional<milliseconds> timeout;
  cmd::add_duration_option(app, "--timeout", timeout, "Stop after DUR");
  const std::string message = parse(app, {"--timeout", "soon"});
  EXPECT_NE(message.find("--timeout"), std::string::npos) << message;
  EXPECT_NE(message.find("'soon' is not a duration"), std::string::npos) << message;
  EXPECT_FALSE(timeout);
  CLI::App too_long;
  cmd::add_duration_option(too_long, "--timeout", timeout, "Stop after DUR");
  EXPECT_NE(parse(too_long, {"--timeout", "100000000h"}), "");
}

TEST(CmdTypedOptions, SizesBecomeBytesWithTheDefaultInTheHelp)
{
  CLI::App app;
  std::uint64_t size = 16 * 1024 * 1024;
  auto* option = cmd::add_size_option(app, "--max", size, "Largest accepted");
  EXPECT_EQ(option->get_description(), "Largest accepted (default 16MiB)");
  EXPECT_EQ(parse(app, {"--max", "64KiB"}), "");
  EXPECT_EQ(size, 64U * 1024);
  CLI::App bad;
  cmd::add_size_option(bad, "--max", size, "Largest accepted");
  const std::string message = parse(bad, {"--max", "lots"});
  EXPECT_NE(message.find("--max: 'lots' is not a size"), std::string::npos) << message;
  EXPECT_EQ(size, 64U * 1024);
}

std::string http_only(const http::Url& url)
{
  return url.scheme == "http" ? std::string() : std::string("only http:// proxies");
}

TEST(CmdTypedOptions, UrlsAreParsedAndCheckedByTheirRule)
{
  CLI::App app;
  std::optional<http::Url> proxy;
  cmd::add_url_option(app, "--proxy", proxy, "Proxy", http_only);
  EXPECT_EQ(parse(app, {"--proxy", "http://127.0.0.1:3128/"}), "");
  ASSERT_TRUE(proxy);
  EXPECT_EQ(proxy->port, 3128);
  EXPECT_EQ(proxy->host, "127.0.0.1");

  CLI::App https;
  std::optional<http::Url> refused;
  cmd::add_url_option(https, "--proxy", refused, "Proxy", http_only);
  EXPECT_EQ(parse(https, {"--proxy", "https://127.0.0.1/"}), "--proxy: only http:// proxies");
  EXPECT_FALSE(refused);

  CLI::App malformed;
  cmd::add_url_option(malformed, "--proxy", refused, "Proxy");
  const std::string message = parse(malformed, {"--proxy", "ftp://example.org/"});
  EXPECT_NE(message.find("--proxy: invalid URL: unsupported scheme 'ftp'"), std::string::npos)
    << message;
}

enum class Colour { red, green };

TEST(CmdTypedOptions, ChoicesBecomeEnumsAndListTheirNames)
{
  static constexpr cmd::Choice<Colour> colours[] = {{"red", Colour::red}, {"green", Colour::green}};
  CLI::App app;
  std::optional<Colour> colour;
  auto* option = cmd::add_choice_option<Colour>(app, "--colour", colour, colours, "Colour");
  // `sse __meta` reads the choices from the type name's braces.
  EXPECT_NE(option->get_type_name().find("{red,green}"), std::string::npos) << option->get_type_name();
  EXPECT_EQ(parse(app, {"--colour", "green"}), "");
  EXPECT_EQ(colour, Colour::green);

  CLI::App bad;
  Colour plain = Colour::red;
  cmd::add_choice_option<Colour>(bad, "--colour", plain, colours, "Colour");
  EXPECT_NE(parse(bad, {"--colour", "blue"}), "");
  EXPECT_EQ(plain, Colour::red);
}

} // namespace
