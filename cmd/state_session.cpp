#include "state_session.hpp"

#include "json/pointer.hpp"
#include "json/value.hpp"
#include "output.hpp"
#include "setting_names.hpp"
#include "terminal_view.hpp"
#include "util/error.hpp"
#include "view/terminal_text.hpp"

#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace cmd {
namespace {

using json = ::json::Value;

const json k_null;

constexpr std::size_t k_max_held_warnings = 20;

// TEXT on one line and harmless to a terminal: messages go to stderr as one line each,
// whatever a stream sent.
std::string one_line(std::string_view text)
{
  std::string out;
  view::append_terminal_text(out, text);
  return out;
}

json read_json_file(const std::string& path)
{
  Input input(path);
  std::string text;
  for (auto chunk = input.read(); !chunk.empty(); chunk = input.read()) {
    text.append(chunk);
  }
  try {
    return ::json::parse_value(text);
  } catch (const util::Error& e) {
    throw util::Error(util::Errc::bad_input, std::string("the initial state is not JSON: ")
                                               + e.what(), input.name() + " (--initial)");
  }
}

} // namespace

StateSession::StateSession(const StateOptions& options, const Context& context, Writer& out,
                           std::string title)
  : m_options(options), m_context(context), m_out(out)
{
  state::ReducerOptions reducer_options;
  reducer_options.mode = options.mode;
  if (!options.key.empty() && reducer_options.mode == state::Mode::detect) {
    reducer_options.mode = state::Mode::keyed;
  }
  reducer_options.key = key_pointer(options.key);
  reducer_options.max_state = options.max_state;
  if (!options.initial.empty()) {
    reducer_options.initial = read_json_file(options.initial);
  }
  // A view needs a terminal that moves its cursor: not a pipe, not TERM=dumb.
  const char* term = std::getenv("TERM");
  const bool view = options.view && ::isatty(1) != 0
                    && !(term != nullptr && std::string_view(term) == "dumb");
  reducer_options.track_changes = view;
  try {
    m_reducer = std::make_unique<state::Reducer>(std::move(reducer_options));
  } catch (const util::Error& e) {
    throw e.at(options.initial + " (--initial)");
  }
  if (view) {
    TerminalView::Options view_options;
    view_options.color = use_color(context.color);
    view_options.title = std::move(title);
    view_options.pointer = options.pointer;
    m_view = std::make_unique<TerminalView>(std::move(view_options));
    std::lock_guard lock(m_view->mutex());
    m_view->changed(m_reducer->state(), {}, 0);
  }
  if (options.changes_only) {
    m_last = shown().dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

StateSession::~StateSession()
{
  try {
    close_view();
  } catch (...) {
    // A destructor cannot report.
  }
}

const ::json::Value& StateSession::shown() const
{
  if (m_options.pointer.empty()) {
    return m_reducer->state();
  }
  const json* value = ::json::find_pointer(m_reducer->state(), m_options.pointer);
  return value != nullptr ? *value : k_null;
}

state::Outcome::Kind StateSession::on_event(std::string_view type, state::Payload data,
                                            std::string_view source, std::uint64_t line)
{
  ++m_events;
  // Built only for a message: this runs once per event, millions of times.
  auto place = [&] {
    std::string text(source);
    if (line != 0) {
      text += ":" + std::to_string(line);
    }
    return (text.empty() ? text : text + ", ") + "event " + std::to_string(m_events);
  };
  state::Outcome outcome;
  try {
    if (m_view) {
      std::lock_guard lock(m_view->mutex());
      outcome = m_reducer->apply(type, data);
      if (outcome.kind == state::Outcome::Kind::applied) {
        m_view->changed(m_reducer->state(), outcome.changes, m_events);
      }
    } else {
      outcome = m_reducer->apply(type, data);
    }
  } catch (const util::Error& e) {
    if (e.code() != util::Errc::bad_input || !m_options.keep_going) {
      throw util::Error(e.code(), one_line(message_of(e)), place());
    }
    ++m_skipped;
    std::string warning = "sse: warning: " + one_line(message_of(e)) + " (" + place() + "); event skipped";
    if (m_view) {
      // Written now, it would land on the view and be drawn over; it is printed after the
      // view has closed, and the header counts the skipped events meanwhile.
      m_view->skipped(m_skipped);
      if (m_warnings.size() < k_max_held_warnings) {
        m_warnings.push_back(std::move(warning));
      }
      return state::Outcome::Kind::ignored;
    }
    flush(); // the warning follows the states printed before it
    std::cerr << warning << std::endl;
    return state::Outcome::Kind::ignored;
  }
  switch (outcome.kind) {
  case state::Outcome::Kind::error:
    throw util::Error(util::Errc::bad_input,
                      "the stream sent an error: " + one_line(outcome.message), place());
  case state::Outcome::Kind::reconnect:
  case state::Outcome::Kind::ignored:
    if (m_context.verbosity > 1) {
      std::cerr << "sse: " << place() << ": \"" << outcome.op << "\" is "
                << (outcome.kind == state::Outcome::Kind::reconnect ? "a reconnect request"
                                                                    : "not a state event")
                << "; state unchanged\n";
    }
    return outcome.kind;
  case state::Outcome::Kind::applied:
    print_state();
    return outcome.kind;
  }
  return outcome.kind;
}

void StateSession::print_state()
{
  if (m_view || m_options.final_only) {
    return;
  }
  std::string& buffer = m_out.buffer();
  if (m_options.changes_only) {
    std::string text = shown().dump(-1, ' ', false, json::error_handler_t::replace);
    if (text == m_last) {
      return;
    }
    buffer += text;
    buffer.push_back('\n');
    m_last = std::move(text);
  } else {
    buffer += shown().dump(-1, ' ', false, json::error_handler_t::replace);
    buffer.push_back('\n');
  }
  m_out.flush_if_large();
}

void StateSession::flush()
{
  m_out.flush();
}

void StateSession::close_view()
{
  if (!m_view || m_view_closed) {
    return;
  }
  m_view_closed = true;
  m_view->close();
  for (const auto& warning : m_warnings) {
    std::cerr << warning << '\n';
  }
  if (m_skipped > m_warnings.size()) {
    std::cerr << "sse: warning: " << m_skipped - m_warnings.size() << " more events skipped\n";
  }
  m_warnings.clear();
}

void StateSession::finish()
{
  if (m_view) {
    close_view();
  } else if (m_options.final_only) {
    m_out.buffer() += shown().dump(-1, ' ', false, json::error_handler_t::replace);
    m_out.buffer().push_back('\n');
  }
  m_out.flush();
  if (m_context.verbosity > 0) {
    std::cerr << "sse: " << m_events << " events, " << m_skipped << " skipped";
    if (m_view) {
      std::cerr << ", " << m_view->frames() << " frames drawn";
    }
    std::cerr << ", state mode " << state::mode_name(m_reducer->mode()) << "\n";
  }
}

} // namespace cmd
