// sse serve: put an event stream on localhost, fed by stdin, a child per client, a script or
// the built-in demo.

#include "commands.hpp"
#include "exit_codes.hpp"
#include "serve_durable.hpp"
#include "serve_stdin.hpp"
#include "setting_names.hpp"
#include "shared_options.hpp"
#include "signal_watch.hpp"
#include "typed_options.hpp"

#include "hub/broadcast.hpp"
#include "hub/demo.hpp"
#include "hub/exec_source.hpp"
#include "hub/program_source.hpp"
#include "hub/script.hpp"
#include "hub/timeline_feed.hpp"
#include "record/timeline.hpp"
#include "hub/routes.hpp"
#include "net/event_loop.hpp"
#include "net/http_server.hpp"
#include "util/error.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <memory>
#include <optional>

namespace cmd {
namespace {

struct ServeOptions {
  // Source
  bool ndjson = false;
  bool sse = false;
  bool exec = false;
  std::vector<std::string> command;
  std::string script;
  std::string replay;
  bool shared = false;
  bool demo = false;
  // Server
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::vector<std::string> cors;
  std::vector<std::string> allow_hosts;
  net::AccessPolicy access; ///< --host, --allow-host and --cors, parsed with the command line
  std::size_t max_clients = 0;
  bool max_clients_given = false;
  std::optional<std::chrono::milliseconds> max_lifetime; ///< empty: no limit
  std::uint64_t client_buffer = hub::StreamOptions{}.client_buffer;
  // Stream
  std::size_t history = 1000;
  bool from_start = false;
  bool linger = false;
  std::optional<std::chrono::milliseconds> retry;
  std::chrono::milliseconds heartbeat = hub::StreamOptions{}.heartbeat;
  std::string hello;
  std::string goodbye;
  std::string eol = hub::StreamOptions{}.eol;
  bool bom = false;
  std::uint64_t max_event_size = k_default_max_event_size;
  // Durable Streams
  bool durable = false;
  DurableOptions durable_options;
  bool port_given = false;
};

/// A URL host: an IPv6 address goes in brackets.
std::string url_host(const std::string& host)
{
  return host.find(':') != std::string::npos && host.front() != '[' ? "[" + host + "]" : host;
}

/// The child's argv: one word with spaces in it is a shell command line.
std::vector<std::string> exec_argv(const std::vector<std::string>& command)
{
  if (command.size() == 1 && command.front().find_first_of(" \t|&;<>()$`'\"") != std::string::npos) {
    return {"/bin/sh", "-c", command.front()};
  }
  return command;
}

std::string read_file(const std::string& path)
{
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  if (!file) {
    throw util::Error(util::Errc::runtime, "cannot read the script", path);
  }
  return text.str();
}

// Each --exec client is a process: without --max-clients, this many at once.
constexpr std::size_t k_exec_max_clients = 64;

/// What the library says is wrong with OPTION's value, as a usage error of the command line.
CLI::ValidationError option_error(const char* option, const util::Error& e)
{
  return CLI::ValidationError(option, e.what() + std::string(" (") + e.where() + ")");
}

net::AccessPolicy access_policy(const ServeOptions& options)
{
  net::AccessPolicy access;
  try {
    access.hosts = net::AllowedHosts(options.host, options.allow_hosts);
  } catch (const util::Error& e) {
    throw option_error("--allow-host", e);
  }
  try {
    access.cors = net::CorsPolicy::parse(options.cors);
  } catch (const util::Error& e) {
    throw option_error("--cors", e);
  }
  access.name_setting = setting_flag;
  return access;
}

hub::StreamOptions stream_options(const ServeOptions& options, int verbosity)
{
  hub::StreamOptions stream;
  if (options.retry) {
    stream.retry_ms = static_cast<std::uint64_t>(options.retry->count());
  }
  stream.heartbeat = options.heartbeat;
  stream.hello = options.hello;
  stream.goodbye = options.goodbye;
  stream.eol = options.eol;
  stream.bom = options.bom;
  stream.access = options.access;
  stream.max_clients = options.max_clients_given ? options.max_clients
                       : options.exec            ? k_exec_max_clients
                                                 : 0;
  stream.max_lifetime = options.max_lifetime.value_or(std::chrono::milliseconds(0));
  stream.client_buffer = static_cast<std::size_t>(options.client_buffer);
  stream.name_setting = setting_flag;
  if (verbosity > 0) {
    stream.log = [](const std::string& line) { std::cerr << "sse serve: " << line << std::endl; };
  }
  return stream;
}

// The options that only make sense together; checked as the command line is read, so each is
// a usage error before anything starts.
void check_serve_options(const ServeOptions& options)
{
  if (options.durable) {
    if (options.exec || !options.script.empty() || !options.replay.empty() || options.demo ||
        options.ndjson || options.sse) {
      throw CLI::ValidationError("--durable serves its own streams: it takes no source");
    }
    if (options.durable_options.repair && options.durable_options.memory) {
      throw CLI::ValidationError("--repair repairs a --data-dir: not with --memory");
    }
    return;
  }
  if (options.durable_options.repair) {
    throw CLI::ValidationError("--repair needs --durable");
  }
  const int sources = (options.exec ? 1 : 0) + (!options.script.empty() ? 1 : 0) +
                      (!options.replay.empty() ? 1 : 0) + (options.demo ? 1 : 0) +
                      (options.ndjson || options.sse ? 1 : 0);
  if (sources > 1 || (options.ndjson && options.sse)) {
    throw CLI::ValidationError("give one source: stdin (--ndjson or --sse to change its format), "
                               "--exec, --script, --replay or --demo");
  }
  if (options.shared && options.replay.empty()) {
    throw CLI::ValidationError("--shared goes with --replay");
  }
  if (options.exec && options.command.empty()) {
    throw CLI::ValidationError("--exec needs a command: sse serve --exec -- CMD ARGS...");
  }
  if (!options.command.empty() && !options.exec) {
    throw CLI::ValidationError("a command is given only with --exec ('" + options.command.front() + "')");
  }
  if (sources == 0 && ::isatty(0) != 0) {
    throw CLI::ValidationError("no source: pipe lines into stdin, or give --exec, --script, "
                               "--replay or --demo");
  }
}

int run_serve(const ServeOptions& options, const Context& context)
{
  if (options.durable) {
    DurableOptions durable = options.durable_options;
    durable.host = options.host;
    durable.access = options.access;
    if (options.port_given) {
      durable.port = options.port;
    }
    return run_durable(durable, context);
  }
  const hub::StreamOptions stream = stream_options(options, context.verbosity);

  SignalWatch signals;
  net::EventLoop loop;
  int exit_code = k_exit_ok;
  std::exception_ptr failure;

  std::unique_ptr<hub::Program> program;
  std::unique_ptr<hub::Source> source;
  hub::Broadcast* feed = nullptr;
  std::vector<record::TimedEntry> timeline;
  if (!options.replay.empty()) {
    std::vector<std::vector<record::Entry>> recordings;
    recordings.push_back(record::read_recording(read_file(options.replay), options.replay));
    timeline = record::build_timeline(std::move(recordings), {});
  }
  if (!options.script.empty()) {
    program = std::make_unique<hub::ScriptProgram>(
      hub::parse_script(read_file(options.script), options.script));
  } else if (!options.replay.empty() && !options.shared) {
    program = std::make_unique<hub::ScriptProgram>(hub::steps_from_timeline(timeline));
  } else if (options.demo) {
    program = std::make_unique<hub::DemoProgram>();
  }
  if (program) {
    source = std::make_unique<hub::ProgramSource>(loop, stream, *program);
  } else if (options.exec) {
    // The children write to a terminal; a dumb one keeps colour and cursor codes out of the
    // events.
    ::setenv("TERM", "dumb", 1);
    source = std::make_unique<hub::ExecSource>(loop, stream, exec_argv(options.command),
                                               options.max_event_size);
  } else {
    auto broadcast = std::make_unique<hub::Broadcast>(
      loop, stream, hub::BroadcastOptions{options.history, options.from_start, options.linger});
    feed = broadcast.get();
    source = std::move(broadcast);
  }

  net::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  net::HttpServer server(loop, server_options,
                         [&](const net::HttpRequest& request,
                             const std::shared_ptr<net::Connection>& connection) {
                           if (stream.log) {
                             stream.log(connection->peer() + ": " + request.method + " " +
                                        request.target);
                           }
                           hub::route(request, connection, stream, *source);
                         });
  server.listen();

  // Shutting down: the source ends every stream, then the loop waits (bounded) until what was
  // queued has been written and the connections have closed.
  bool stopping = false;
  auto shutdown = [&]() {
    if (stopping) {
      return;
    }
    stopping = true;
    source->end();
    server.drain(std::chrono::seconds(5), [&loop]() { loop.stop(); });
  };

  loop.add(signals.fd(), EPOLLIN, [&](std::uint32_t) {
    const int signal = signals.take();
    if (signal == SIGINT) {
      exit_code = k_exit_interrupted;
    }
    if (signal != 0) {
      shutdown();
    }
  });

  // The source ended: the streams end after what they have queued, and the server with them
  // unless --linger keeps it serving the history.
  auto source_ended = [&, feed](std::exception_ptr error, const char* what) {
    failure = error;
    if (stream.log) {
      stream.log(what);
    }
    if (options.linger && !error) {
      feed->end();
      return;
    }
    shutdown();
  };

  std::unique_ptr<hub::TimelineFeed> timeline_feed;
  std::unique_ptr<StdinFeeder> stdin_feeder;
  if (feed != nullptr && options.shared) {
    timeline_feed = std::make_unique<hub::TimelineFeed>(
      loop, *feed, std::move(timeline), [&]() { source_ended(nullptr, "the recording ended"); });
  } else if (feed != nullptr) {
    const StdinFormat format =
      options.ndjson ? StdinFormat::ndjson : options.sse ? StdinFormat::sse : StdinFormat::lines;
    stdin_feeder = std::make_unique<StdinFeeder>(
      loop, *feed, format, options.max_event_size,
      [&](std::exception_ptr error) { source_ended(error, "stdin ended"); });
  }

  std::cerr << "listening on http://" << url_host(server.host()) << ":" << server.port()
            << std::endl;
  if (stdin_feeder) {
    stdin_feeder->start();
  }
  if (timeline_feed) {
    timeline_feed->start();
  }
  loop.run();
  stdin_feeder.reset();
  if (failure) {
    std::rethrow_exception(failure);
  }
  return exit_code;
}

} // namespace

void register_serve(CLI::App& app, Context& context)
{
  auto options = std::make_shared<ServeOptions>();
  auto* sub = app.add_subcommand("serve");

  const char* source = "Source (stdin lines by default)";
  sub->add_flag("--ndjson", options->ndjson, "Read stdin as NDJSON event objects")->group(source);
  sub->add_flag("--sse", options->sse, "Read stdin as event-stream text")->group(source);
  sub->add_flag("--exec", options->exec,
                "Run COMMAND for each client; each line it prints is an event")
    ->group(source);
  sub->add_option("COMMAND", options->command,
                  "The program and arguments for --exec (after -- when they start with -)");
  sub->add_option("--script", options->script, "Replay a scripted stream (NDJSON steps) to each client")
    ->option_text("FILE")
    ->check(CLI::ExistingFile)
    ->group(source);
  sub->add_option("--replay", options->replay,
                  "Play a recording (sse tail --record) to each client with its timing")
    ->option_text("FILE")
    ->check(CLI::ExistingFile)
    ->group(source);
  sub->add_flag("--shared", options->shared,
                "With --replay: one timeline broadcast to every client")
    ->group(source);
  sub->add_flag("--demo", options->demo, "Serve the built-in demo stream")->group(source);

  const char* server = "Server";
  sub->add_option("--host", options->host, "Address to listen on (default 127.0.0.1)")
    ->option_text("HOST")
    ->group(server);
  auto* port = sub->add_option("-p,--port", options->port,
                               "Port to listen on; 0 picks a free one (default 8080, 4437 with "
                               "--durable)")
                 ->option_text("PORT")
                 ->group(server);
  sub->add_option("--cors", options->cors,
                  "Let pages from ORIGIN (repeatable, comma-separated, or *) use the server; "
                  "other pages are refused with 403")
    ->option_text("ORIGIN")
    ->group(server);
  sub->add_option("--allow-host", options->allow_hosts,
                  "Also answer requests for Host NAME (repeatable; .DOMAIN for the names under "
                  "it; * any); others than localhost and IP addresses get 403")
    ->option_text("NAME")
    ->group(server);
  auto* max_clients =
    sub->add_option("--max-clients", options->max_clients,
                    "Refuse clients beyond N with 503 (default no limit, 64 with --exec)")
      ->option_text("N")
      ->check(CLI::PositiveNumber)
      ->group(server);
  add_duration_option(*sub, "--max-lifetime", options->max_lifetime,
                      "End each connection after DUR (clients resume by id)")
    ->group(server);
  add_size_option(*sub, "--client-buffer", options->client_buffer,
                  "Cut a client that falls SIZE behind")
    ->group(server);

  const char* stream = "Stream";
  sub->add_option("--history", options->history,
                  "Events kept for clients that resume with Last-Event-ID (default 1000)")
    ->option_text("N")
    ->group(stream);
  sub->add_flag("--from-start", options->from_start, "Send new clients the history first")
    ->group(stream);
  sub->add_flag("--linger", options->linger,
                "When stdin (or a --shared replay) ends, keep serving the history")
    ->group(stream);
  add_duration_option(*sub, "--retry", options->retry, "Send 'retry: DUR' to each client at connect")
    ->group(stream);
  add_duration_option(*sub, "--heartbeat", options->heartbeat,
                      "Send a comment after DUR without output; 0 never")
    ->group(stream);
  sub->add_option("--hello", options->hello, "Send comment TEXT at connect")
    ->option_text("TEXT")
    ->group(stream);
  sub->add_option("--goodbye", options->goodbye, "Send comment TEXT when the server ends a stream")
    ->option_text("TEXT")
    ->group(stream);
  static constexpr Choice<const char*> line_ends[] = {{"lf", "\n"}, {"crlf", "\r\n"}, {"cr", "\r"}};
  add_choice_option<const char*>(*sub, "--eol", options->eol, line_ends,
                                 "End lines with lf, crlf or cr (default lf)")
    ->option_text("EOL")
    ->group(stream);
  sub->add_flag("--bom", options->bom, "Start every stream with a byte order mark")->group(stream);
  add_max_event_size_option(*sub, options->max_event_size)->group(stream);

  const char* durable = "Durable Streams";
  sub->add_flag("--durable", options->durable,
                "Serve Durable Streams under /v1/stream/ instead of one event stream")
    ->group(durable);
  sub->add_option("--data-dir", options->durable_options.data_dir,
                  "Keep the streams in DIR (default ./sse-data)")
    ->option_text("DIR")
    ->group(durable);
  sub->add_flag("--memory", options->durable_options.memory, "Keep the streams in memory only")
    ->group(durable);
  sub->add_flag("--repair", options->durable_options.repair,
                "Cut each damaged stream back to its last intact commit, keeping what is cut")
    ->group(durable);
  add_duration_option(*sub, "--long-poll-timeout", options->durable_options.long_poll_timeout,
                      "Answer a long-poll with 204 after DUR without data")
    ->group(durable);
  sub->add_option("--token", options->durable_options.token,
                  "Require 'Authorization: Bearer TOKEN' on every request")
    ->option_text("TOKEN")
    ->group(durable);
  add_size_option(*sub, "--max-body", options->durable_options.max_body,
                  "Refuse request bodies larger than SIZE with 413")
    ->group(durable);

  sub->callback([options, port, max_clients, &context]() {
    options->port_given = port->count() > 0;
    options->max_clients_given = max_clients->count() > 0;
    check_serve_options(*options);
    options->access = access_policy(*options);
    context.run = [options, &context]() { return run_serve(*options, context); };
  });
}

} // namespace cmd
