// The sse binary: parse the command line, run the chosen subcommand, and turn every failure
// into one line on stderr and a documented exit code. The only place that catches.

#include "commands.hpp"
#include "complete.hpp"
#include "exit_codes.hpp"
#include "io.hpp"
#include "setting_names.hpp"

#include <csignal>
#include <signal.h>
#include <unistd.h>
#include <iostream>

namespace {

// Output is flushed before every blocking read, so nothing acknowledged is lost by leaving at
// once; _exit is what a signal handler may call.
extern "C" void on_interrupt(int)
{
  ::_exit(cmd::k_exit_interrupted);
}

void print_error(const std::string& what, const std::string& where)
{
  std::cout.flush();
  std::cerr << "sse: error: " << what;
  if (!where.empty()) {
    std::cerr << " (" << where << ")";
  }
  std::cerr << std::endl;
}

} // namespace

int main(int argc, char** argv)
{
  // A closed stdout shows up as EPIPE from write(), which ends the command quietly.
  std::signal(SIGPIPE, SIG_IGN);
  // Exit 130 on SIGINT even where the shell started us with SIGINT ignored (a background job).
  struct sigaction interrupt = {};
  interrupt.sa_handler = on_interrupt;
  sigemptyset(&interrupt.sa_mask);
  ::sigaction(SIGINT, &interrupt, nullptr);

  cmd::Context context;
  CLI::App app{"sse: a toolkit for Server-Sent Events and Durable Streams", "sse"};
  cmd::configure_app(app, context);
  if (const auto words = cmd::complete_request(argc, argv)) {
    std::cout << cmd::completion_lines(cmd::complete(app, *words));
    return cmd::k_exit_ok;
  }
  if (const auto unknown = cmd::unknown_subcommand(app, argc, argv)) {
    print_error(*unknown, "run 'sse --help'");
    return cmd::k_exit_usage;
  }
  try {
    auto args = cmd::shielded_arguments(argc, argv);
    app.parse(args);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const CLI::App* failed = &app;
    for (const CLI::App* sub : app.get_subcommands()) {
      failed = sub;
    }
    const std::string help = failed == &app ? "sse --help" : "sse " + failed->get_name() + " --help";
    print_error(e.what(), "run '" + help + "'");
    return cmd::k_exit_usage;
  }

  try {
    return context.run();
  } catch (const cmd::StdoutClosed&) {
    return cmd::k_exit_ok;
  } catch (const util::Error& e) {
    print_error(cmd::message_of(e), e.where());
    return cmd::exit_code_for(e.code());
  } catch (const std::bad_alloc&) {
    print_error("out of memory", "");
    return cmd::k_exit_failure;
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what(), "");
    return cmd::k_exit_failure;
  }
}
