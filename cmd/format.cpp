// sse format: NDJSON event objects (or plain lines with --lines) to canonical event-stream
// text, the inverse of `sse parse`. Lines are handled as they arrive and output is flushed
// before each blocking read, so `sse format` can sit in a live pipeline.

#include "commands.hpp"
#include "exit_codes.hpp"
#include "io.hpp"
#include "shared_options.hpp"
#include "stdout_watch.hpp"
#include "typed_options.hpp"
#include "json/ndjson.hpp"
#include "sse/formatter.hpp"

#include <cstring>
#include <memory>
#include <unistd.h>

namespace cmd {
namespace {

struct FormatOptions {
  std::vector<std::string> files;
  bool lines = false;
  std::uint64_t max_line_size = k_default_max_event_size;
};

class LineFormatter {
public:
  LineFormatter(const FormatOptions& options, Writer& out) : m_options(options), m_out(out) {}

  void line(std::string_view text, const std::string& where)
  {
    if (m_options.lines) {
      if (!text.empty() && text.back() == '\r') {
        text.remove_suffix(1);
      }
      m_formatter.append(m_out.buffer(), {sse::k_default_type, text, m_formatter.last_event_id(),
                                          std::nullopt, {}});
      return;
    }
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) {
      return; // blank lines between objects are allowed, as jq allows them
    }
    auto parsed = parse(text, where);
    if (auto* comment = std::get_if<json::Comment>(&parsed)) {
      sse::Formatter::append_comment(m_out.buffer(), comment->text);
      return;
    }
    const auto& event = std::get<sse::Event>(parsed);
    const sse::EventView view = event.view();
    if (const auto problem = sse::Formatter::check(view); problem != sse::FormatProblem::none) {
      throw util::Error(util::Errc::bad_input, std::string(sse::describe(problem)), where);
    }
    m_formatter.append(m_out.buffer(), view);
  }

private:
  static std::variant<sse::Event, json::Comment> parse(std::string_view text,
                                                       const std::string& where)
  {
    try {
      return json::parse_event_line(text);
    } catch (const util::Error& e) {
      throw e.at(where);
    }
  }

  const FormatOptions& m_options;
  Writer& m_out;
  sse::Formatter m_formatter;
};

int run_format(const FormatOptions& options)
{
  const std::uint64_t limit = options.max_line_size;
  // Reading a quiet input blocks; a reader of stdout that has gone ends us at once, as a
  // write would if there were one to make. Nothing is lost: there is nobody to read it.
  StdoutWatch watch([] { ::_exit(k_exit_ok); });
  Writer out;
  // One formatter for all files: their output is one stream, so the id it last sent carries
  // over from one file to the next.
  LineFormatter formatter(options, out);
  for (const auto& path : inputs_or_stdin(options.files)) {
    Input input(path);
    read_lines(
      input, limit, "", "--max-line-size",
      [&](std::string_view line, std::uint64_t number) {
        formatter.line(line, input.name() + ":" + std::to_string(number));
        out.flush_if_large();
      },
      [&] { out.flush(); });
    out.flush();
  }
  return k_exit_ok;
}

} // namespace

void register_format(CLI::App& app, Context& context)
{
  auto options = std::make_shared<FormatOptions>();
  auto* sub = app.add_subcommand("format");
  add_input_files(*sub, options->files);
  sub->add_flag("--lines", options->lines, "Treat each input line as the data of one event");
  add_size_option(*sub, "--max-line-size", options->max_line_size, "Longest input line accepted");
  sub->callback([options, &context] {
    context.run = [options] { return run_format(*options); };
  });
}

} // namespace cmd
