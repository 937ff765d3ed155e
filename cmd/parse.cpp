// sse parse: event-stream bytes from files or stdin to events, in any output format.
// Each FILE is its own stream (its own BOM, its own last event ID), like separate connections.
// Output is flushed after every input chunk, that is before each blocking read, so on a live
// pipe every event reaches stdout as soon as its blank line has arrived.

#include "commands.hpp"
#include "exit_codes.hpp"
#include "io.hpp"
#include "stdout_watch.hpp"
#include "output.hpp"
#include "shared_options.hpp"
#include "sse/parser.hpp"

#include <iostream>
#include <memory>
#include <unistd.h>

namespace cmd {
namespace {

struct ParseOptions {
  std::vector<std::string> files;
  std::optional<Format> format;
  bool count = false;
  bool json_data = false;
  std::uint64_t max_event_size = k_default_max_event_size;
};

class PrintingHandler : public sse::ParserHandler {
public:
  PrintingHandler(EventPrinter* printer, Writer& out) : m_printer(printer), m_out(out) {}
  void on_event(const sse::EventView& event) override
  {
    if (m_printer != nullptr) {
      m_printer->print(m_out.buffer(), event);
      m_out.flush_if_large();
    }
  }
  void on_raw(std::string_view bytes) override
  {
    if (m_printer != nullptr) {
      m_printer->print_unclaimed(m_out.buffer(), bytes);
      m_out.flush_if_large();
    }
  }

private:
  EventPrinter* m_printer; // null with --count
  Writer& m_out;
};

util::Error limit_error(const sse::ParseFailure& failure, std::uint64_t limit,
                        const std::string& input)
{
  return util::Error(util::Errc::bad_input, sse::describe(failure, limit),
                     input + ", line at byte " + std::to_string(failure.byte_offset),
                     {util::Setting::max_event_size});
}

int run_parse(const ParseOptions& options, const Context& context)
{
  const std::uint64_t limit = options.max_event_size;
  std::optional<EventPrinter> printer;
  Format format = Format::json;
  if (!options.count) {
    format = choose_format(options.format);
    printer.emplace(format, use_color(context.color), options.json_data);
  }
  // Reading a quiet input blocks; a reader of stdout that has gone ends us at once, as a
  // write would if there were one to make. Nothing is lost: there is nobody to read it.
  StdoutWatch watch([] { ::_exit(k_exit_ok); });
  Writer out;
  std::uint64_t total = 0;
  for (const auto& path : inputs_or_stdin(options.files)) {
    Input input(path);
    PrintingHandler handler(printer ? &*printer : nullptr, out);
    sse::ParserOptions parser_options;
    parser_options.max_event_size = static_cast<std::size_t>(limit);
    parser_options.keep_raw = !options.count && format == Format::raw;
    parser_options.count_only = options.count;
    sse::Parser parser(handler, parser_options);
    std::uint64_t bytes = 0;
    for (auto chunk = input.read(); !chunk.empty(); chunk = input.read()) {
      bytes += chunk.size();
      const bool ok = parser.feed(chunk);
      out.flush();
      if (!ok) {
        throw limit_error(parser.failure(), limit, input.name());
      }
    }
    parser.finish();
    out.flush();
    total += parser.event_count();
    if (context.verbosity > 0) {
      std::cerr << "sse: " << input.name() << ": " << parser.event_count() << " events in "
                << bytes << " bytes\n";
    }
  }
  if (options.count) {
    out.write(std::to_string(total) + "\n");
    out.flush();
  }
  return k_exit_ok;
}

} // namespace

void register_parse(CLI::App& app, Context& context)
{
  auto options = std::make_shared<ParseOptions>();
  auto* sub = app.add_subcommand("parse");
  add_input_files(*sub, options->files);
  add_format_option(*sub, options->format);
  add_json_data_flag(*sub, options->json_data);
  sub->add_flag("--count", options->count, "Print only the number of events");
  add_max_event_size_option(*sub, options->max_event_size);
  sub->callback([options, &context] {
    if (options->count && (options->format || options->json_data)) {
      throw CLI::ValidationError("--count", "cannot be combined with --format or --json-data");
    }
    context.run = [options, &context] { return run_parse(*options, context); };
  });
}

} // namespace cmd
