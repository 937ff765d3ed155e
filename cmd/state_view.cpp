#include "state_view.hpp"

#include "commands.hpp"
#include "exit_codes.hpp"
#include "json/pointer.hpp"
#include "json/value.hpp"
#include "output.hpp"
#include "util/error.hpp"
#include "util/units.hpp"
#include "view/terminal_text.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace cmd {
namespace {

using nlohmann::json;

// --- Options --------------------------------------------------------------------------------

state::Mode mode_of(const std::string& apply)
{
  // A plain --apply leaves "true" (CLI11's value for a flag given without =MODE).
  return state::mode_from_name(apply == "true" ? "auto" : apply);
}

// --- Rendering ------------------------------------------------------------------------------

constexpr const char* k_reset = "\x1b[0m";
constexpr const char* k_key_style = "\x1b[1;34m";
constexpr const char* k_string_style = "\x1b[32m";
constexpr const char* k_number_style = "\x1b[36m";
constexpr const char* k_literal_style = "\x1b[33m";
constexpr const char* k_null_style = "\x1b[90m";
constexpr const char* k_highlight_color = "\x1b[1;30;43m";
constexpr const char* k_highlight_plain = "\x1b[7m";

// The display width of the code point CP: 2 for East Asian wide and emoji ranges, else 1.
// An approximation of wcwidth that needs no locale.
std::size_t code_point_columns(char32_t cp)
{
  const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF)
                    || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF)
                    || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60)
                    || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F)
                    || (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 2 : 1;
}

// Decodes the UTF-8 sequence at TEXT[I] (valid by construction), advancing I.
char32_t next_code_point(std::string_view text, std::size_t& i)
{
  const auto c = static_cast<unsigned char>(text[i]);
  std::size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  length = std::min(length, text.size() - i);
  char32_t cp = length == 1 ? c : length == 2 ? (c & 0x1F) : length == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < length; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  }
  i += length;
  return cp;
}

// A JSON string literal a terminal cannot be driven by.
std::string display_string(std::string_view text)
{
  std::string out;
  view::append_terminal_json_string(out, text);
  return out;
}

struct Segment {
  const char* style; // null: unstyled
  std::string text;
};

class Renderer {
public:
  Renderer(const ::json::Changes& changes, bool color, std::size_t width, std::size_t max_lines)
    : m_changes(changes), m_color(color), m_width(width), m_max_lines(max_lines)
  {
  }

  void value(const json& v, std::string& path, std::vector<Segment> prefix, bool comma)
  {
    if (m_lines.size() >= m_max_lines) {
      m_total += count(v);
      return;
    }
    const bool container = (v.is_object() || v.is_array()) && !v.empty();
    if (!container) {
      prefix.push_back(scalar(v));
      if (comma) {
        prefix.push_back({nullptr, ","});
      }
      line(path, std::move(prefix));
      return;
    }
    const bool object = v.is_object();
    prefix.push_back({nullptr, object ? "{" : "["});
    line(path, std::move(prefix));
    ++m_depth;
    std::size_t i = 0;
    const std::size_t size = v.size();
    const std::size_t length = path.size();
    if (object) {
      for (const auto& [key, member] : v.get_ref<const json::object_t&>()) {
        ::json::append_token(path, key);
        std::vector<Segment> member_prefix{{nullptr, indent()},
                                           {k_key_style, display_string(key)},
                                           {nullptr, ": "}};
        value(member, path, std::move(member_prefix), ++i < size);
        path.resize(length);
      }
    } else {
      for (const auto& item : v.get_ref<const json::array_t&>()) {
        path += "/" + std::to_string(i);
        value(item, path, {{nullptr, indent()}}, ++i < size);
        path.resize(length);
      }
    }
    --m_depth;
    std::vector<Segment> close{{nullptr, indent() + (object ? "}" : "]") + (comma ? "," : "")}};
    line(path, std::move(close));
  }

  std::vector<ViewLine> take(std::size_t& total)
  {
    total = m_total;
    return std::move(m_lines);
  }

private:
  std::string indent() const { return std::string(2 * m_depth, ' '); }

  static std::size_t count(const json& v)
  {
    if ((!v.is_object() && !v.is_array()) || v.empty()) {
      return 1;
    }
    std::size_t lines = 2;
    for (const auto& child : v) {
      lines += count(child);
    }
    return lines;
  }

  Segment scalar(const json& v) const
  {
    switch (v.type()) {
    case json::value_t::string:
      return {k_string_style, display_string(v.get_ref<const std::string&>())};
    case json::value_t::null:
      return {k_null_style, "null"};
    case json::value_t::boolean:
      return {k_literal_style, v.get<bool>() ? "true" : "false"};
    case json::value_t::object:
      return {nullptr, "{}"};
    case json::value_t::array:
      return {nullptr, "[]"};
    default:
      return {k_number_style, v.dump()};
    }
  }

  bool highlighted(const std::string& path) const
  {
    for (const auto& written : m_changes.written) {
      if (written.empty() || path == written
          || (path.size() > written.size() && path.compare(0, written.size(), written) == 0
              && path[written.size()] == '/')) {
        return true;
      }
    }
    return std::find(m_changes.removed_from.begin(), m_changes.removed_from.end(), path)
           != m_changes.removed_from.end();
  }

  void line(const std::string& path, std::vector<Segment> segments)
  {
    ++m_total;
    if (m_lines.size() >= m_max_lines) {
      return;
    }
    const bool mark = highlighted(path);
    ViewLine out{{}, 0};
    if (mark) {
      out.text += m_color ? k_highlight_color : k_highlight_plain;
    }
    // A line wider than the screen is cut, with an ellipsis in its last column, so that every
    // line takes exactly one row.
    std::size_t columns = 0;
    for (const auto& segment : segments) {
      for (std::size_t i = 0; i < segment.text.size();) {
        columns += code_point_columns(next_code_point(segment.text, i));
      }
    }
    const std::size_t budget = columns > m_width ? m_width - 1 : m_width;
    bool cut = false;
    for (const auto& segment : segments) {
      const bool styled = m_color && !mark && segment.style != nullptr;
      if (styled) {
        out.text += segment.style;
      }
      std::size_t i = 0;
      while (i < segment.text.size()) {
        const std::size_t start = i;
        const std::size_t width = code_point_columns(next_code_point(segment.text, i));
        if (out.columns + width > budget) {
          cut = true;
          break;
        }
        out.text.append(segment.text, start, i - start);
        out.columns += width;
      }
      if (styled) {
        out.text += k_reset;
      }
      if (cut) {
        out.text += "\u2026";
        out.columns += 1;
        break;
      }
    }
    if (mark) {
      out.text += k_reset;
    }
    m_lines.push_back(std::move(out));
  }

  const ::json::Changes& m_changes;
  bool m_color;
  std::size_t m_width;
  std::size_t m_max_lines;
  std::size_t m_depth = 0;
  std::size_t m_total = 0;
  std::vector<ViewLine> m_lines;
};

void write_all(int fd, std::string_view text)
{
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return; // the terminal is gone; there is nobody left to tell
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Keeps the pending changes of a burst bounded; past the bound, the whole state is marked.
void merge_changes(::json::Changes& into, const ::json::Changes& from)
{
  constexpr std::size_t k_max_changes = 4096;
  if (into.written.size() + from.written.size() > k_max_changes
      || into.removed_from.size() + from.removed_from.size() > k_max_changes) {
    into.written.assign(1, std::string());
    into.removed_from.clear();
    return;
  }
  into.written.insert(into.written.end(), from.written.begin(), from.written.end());
  into.removed_from.insert(into.removed_from.end(), from.removed_from.begin(),
                           from.removed_from.end());
}

const json k_null;

constexpr std::size_t k_max_held_warnings = 20;

// TEXT on one line: messages go to stderr as one line each, whatever a stream sent.
std::string one_line(std::string_view text)
{
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || byte == 0x7F) {
      out += "\\x";
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 0xF]);
    } else {
      out.push_back(c);
    }
  }
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

// --- Options --------------------------------------------------------------------------------

CLI::Option* add_state_options(CLI::App& sub, StateOptions& options)
{
  auto* apply = sub.add_flag("--apply", options.apply,
                             "State mode: detect it, or force it with =auto, =custom, =keyed "
                             "or =durable");
  apply->option_text("[=MODE]");
  sub.add_option("--key", options.key,
                 "Keyed collection: each item's key is at this JSON pointer (or name)")
    ->option_text("PATH");
  sub.add_option("--initial", options.initial, "Start from the JSON state in this file")
    ->option_text("FILE");
  sub.add_option("--pointer", options.pointer, "Print only the value at this JSON pointer")
    ->option_text("POINTER");
  sub.add_flag("--final", options.final_only, "Print only the state after the last event");
  sub.add_flag("--changes", options.changes_only, "Print the state only when it changed");
  sub.add_flag("--keep-going", options.keep_going,
               "Warn about a failed event, skip it and go on");
  sub.add_option("--max-state", options.max_state,
                 "Refuse an event that could grow the state past SIZE as compact JSON "
                 "(default 256MiB)")
    ->check(check_size, "SIZE")
    ->option_text("SIZE");
  sub.add_flag("--view", options.view,
               "On a terminal, redraw the state in place (NDJSON when piped)");
  return apply;
}

void check_state_options(const StateOptions& options)
{
  state::Mode mode = state::Mode::detect;
  try {
    mode = mode_of(options.apply);
  } catch (const util::Error&) {
    throw CLI::ValidationError("--apply", "'" + options.apply + "' is not a state mode (auto, "
                                          "custom, keyed or durable)");
  }
  if (!options.key.empty() && mode != state::Mode::detect && mode != state::Mode::keyed) {
    throw CLI::ValidationError("--key", "only a keyed collection has keys (--apply=keyed)");
  }
  if (auto problem = ::json::pointer_problem(key_pointer(options.key)); !problem.empty()) {
    throw CLI::ValidationError("--key", "'" + options.key + "': " + problem);
  }
  if (auto problem = ::json::pointer_problem(options.pointer); !problem.empty()) {
    throw CLI::ValidationError("--pointer", "'" + options.pointer + "': " + problem);
  }
  if (options.final_only && options.changes_only) {
    throw CLI::ValidationError("--final", "cannot be combined with --changes");
  }
}

std::string key_pointer(const std::string& path)
{
  if (path.empty()) {
    return "/id";
  }
  if (path.front() == '/') {
    return path;
  }
  std::string pointer;
  ::json::append_token(pointer, path);
  return pointer;
}

// --- Rendering ------------------------------------------------------------------------------

std::vector<ViewLine> render_state(const nlohmann::json& state, const ::json::Changes& changes,
                                   bool color, std::size_t width, std::size_t max_lines,
                                   std::size_t& total)
{
  Renderer renderer(changes, color, std::max<std::size_t>(width, 8), max_lines);
  std::string path;
  renderer.value(state, path, {}, false);
  return renderer.take(total);
}

// --- StateView ------------------------------------------------------------------------------

StateView::StateView(Options options) : m_options(std::move(options))
{
  m_wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGINT, SIGTERM, SIGTSTP, SIGWINCH}) {
    sigaddset(&signals, signal);
  }
  // Blocked here and so in the render thread, which inherits the mask and reads them from the
  // signalfd: SIGINT and SIGTERM leave the last frame on the normal screen before the process
  // ends, SIGTSTP (^Z) leaves the alternate screen before it stops, SIGWINCH redraws.
  ::pthread_sigmask(SIG_BLOCK, &signals, &m_old_mask);
  m_signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
  if (m_wake_fd < 0 || m_signal_fd < 0) {
    ::pthread_sigmask(SIG_SETMASK, &m_old_mask, nullptr);
    throw util::Error(util::Errc::runtime, "cannot set up the view: " + std::string(std::strerror(errno)));
  }
  // The alternate screen: frames overwrite each other without scrolling; the cursor hides.
  write_all(m_options.fd, "\x1b[?1049h\x1b[?25l");
  m_thread = std::thread([this] { run(); });
}

StateView::~StateView()
{
  try {
    close();
  } catch (...) {
    // A destructor cannot report; close() is called explicitly on the normal path.
  }
}

void StateView::skipped(std::uint64_t count)
{
  std::lock_guard lock(m_mutex);
  m_skipped = count;
  m_dirty = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(m_wake_fd, &one, sizeof one);
}

void StateView::changed(const nlohmann::json& state, const ::json::Changes& changes,
                        std::uint64_t event)
{
  m_state = &state;
  m_event = event;
  merge_changes(m_pending, changes);
  m_dirty = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(m_wake_fd, &one, sizeof one);
}

std::string StateView::frame_text(bool final_frame)
{
  // Called with m_mutex held.
  winsize size{};
  std::size_t rows = 24;
  std::size_t cols = 80;
  if (::ioctl(m_options.fd, TIOCGWINSZ, &size) == 0 && size.ws_row > 0 && size.ws_col > 0) {
    rows = size.ws_row;
    cols = size.ws_col;
  }
  // The header, then the state; a final frame goes to the normal screen, where it must leave
  // a line for the shell's prompt.
  const std::size_t body = std::max<std::size_t>(rows > 2 ? rows - (final_frame ? 2 : 1) : 1, 1);
  const json* shown = &k_null;
  if (m_state != nullptr) {
    shown = m_options.pointer.empty() ? m_state : ::json::find_pointer(*m_state, m_options.pointer);
    if (shown == nullptr) {
      shown = &k_null;
    }
  }
  std::size_t total = 0;
  static const ::json::Changes k_none;
  auto lines = render_state(*shown, final_frame ? k_none : m_pending, m_options.color, cols,
                            body, total);
  if (total > lines.size()) {
    // The last line says what did not fit.
    lines.pop_back();
    const std::string more = "... " + std::to_string(total - lines.size()) + " more lines";
    lines.push_back({m_options.color ? k_null_style + more + k_reset : more, more.size()});
  }
  std::string header = m_options.title + ": state after event " + std::to_string(m_event);
  if (!m_options.pointer.empty()) {
    header += " at " + m_options.pointer;
  }
  if (m_skipped > 0) {
    header += " (" + std::to_string(m_skipped) + " skipped)";
  }
  if (header.size() > cols) {
    header.resize(cols);
  }
  std::string text;
  text += "\x1b[7m" + header + k_reset;
  for (const auto& line : lines) {
    text += final_frame ? "\n" : "\x1b[K\r\n";
    text += line.text;
  }
  return text;
}

void StateView::draw(bool final_frame)
{
  std::string text;
  {
    std::lock_guard lock(m_mutex);
    text = frame_text(final_frame);
    m_pending = {};
    m_dirty = false;
  }
  // Synchronized update (terminals that know it show the frame at once; others ignore it),
  // home, the lines each ending with erase-to-end-of-line, then erase below.
  write_all(m_options.fd, "\x1b[?2026h\x1b[H" + text + "\x1b[K\x1b[J\x1b[?2026l");
  ++m_frames;
}

void StateView::run()
{
  try {
    FrameClock clock(m_options.frame);
    while (true) {
      bool dirty = false;
      {
        std::lock_guard lock(m_mutex);
        if (m_stop) {
          return;
        }
        dirty = m_dirty;
      }
      const auto now = FrameClock::Clock::now();
      if (dirty && clock.wait(now) == FrameClock::Clock::duration::zero()) {
        draw(false);
        clock.drew(now);
        continue;
      }
      int timeout = -1;
      if (dirty) {
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(clock.wait(now));
        timeout = static_cast<int>(std::max<std::int64_t>(wait.count(), 1));
      }
      pollfd fds[2] = {{m_wake_fd, POLLIN, 0}, {m_signal_fd, POLLIN, 0}};
      if (::poll(fds, 2, timeout) < 0 && errno != EINTR) {
        return;
      }
      if ((fds[1].revents & POLLIN) != 0) {
        signalfd_siginfo info{};
        while (::read(m_signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
          if (info.ssi_signo == SIGINT) {
            restore_terminal_and_exit(k_exit_interrupted);
          }
          if (info.ssi_signo == SIGTERM) {
            restore_terminal_and_exit(-SIGTERM);
          }
          if (info.ssi_signo == SIGTSTP) {
            suspend();
          }
          std::lock_guard lock(m_mutex);
          m_dirty = true; // draw again: at the new size (SIGWINCH), or after a suspension
        }
      }
      if ((fds[0].revents & POLLIN) != 0) {
        std::uint64_t count = 0;
        [[maybe_unused]] const auto n = ::read(m_wake_fd, &count, sizeof count);
      }
    }
  } catch (...) {
    // Out of memory while rendering: stop drawing; the command itself goes on.
  }
}

void StateView::restore_terminal_and_exit(int code)
{
  std::string text;
  {
    std::lock_guard lock(m_mutex);
    text = frame_text(true);
  }
  write_all(m_options.fd, "\x1b[?1049l\x1b[?25h" + text + "\n");
  if (code < 0) {
    // Die of the signal, as if it had never been caught, so the parent sees what happened.
    const int signal = -code;
    ::signal(signal, SIG_DFL);
    sigset_t just;
    sigemptyset(&just);
    sigaddset(&just, signal);
    ::pthread_sigmask(SIG_UNBLOCK, &just, nullptr);
    ::raise(signal);
    code = 128 + signal;
  }
  ::_exit(code);
}

void StateView::suspend()
{
  // Back to the normal screen while stopped, so the shell's prompt is where it belongs.
  write_all(m_options.fd, "\x1b[?1049l\x1b[?25h");
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTSTP);
  ::pthread_sigmask(SIG_UNBLOCK, &stop, nullptr);
  ::raise(SIGTSTP); // stops the process here, until SIGCONT
  ::pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  write_all(m_options.fd, "\x1b[?1049h\x1b[?25l");
}

void StateView::close()
{
  if (m_closed) {
    return;
  }
  m_closed = true;
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(m_wake_fd, &one, sizeof one);
  if (m_thread.joinable()) {
    m_thread.join();
  }
  std::string text;
  {
    std::lock_guard lock(m_mutex);
    text = frame_text(true);
  }
  // Back to the normal screen, cursor shown, and the last frame left there.
  write_all(m_options.fd, "\x1b[?1049l\x1b[?25h" + text + "\n");
  ++m_frames;
  ::close(m_wake_fd);
  ::close(m_signal_fd);
  ::pthread_sigmask(SIG_SETMASK, &m_old_mask, nullptr);
}

// --- StateSession ---------------------------------------------------------------------------

StateSession::StateSession(const StateOptions& options, const Context& context, Writer& out,
                           std::string title)
  : m_options(options), m_context(context), m_out(out)
{
  state::ReducerOptions reducer_options;
  reducer_options.mode = mode_of(options.apply);
  if (!options.key.empty() && reducer_options.mode == state::Mode::detect) {
    reducer_options.mode = state::Mode::keyed;
  }
  reducer_options.key = key_pointer(options.key);
  reducer_options.max_state = *util::parse_size(options.max_state);
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
    throw util::Error(e.code(), e.what(), options.initial + " (--initial)");
  }
  if (view) {
    StateView::Options view_options;
    view_options.color = use_color(context.color);
    view_options.title = std::move(title);
    view_options.pointer = options.pointer;
    m_view = std::make_unique<StateView>(std::move(view_options));
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

const nlohmann::json& StateSession::shown() const
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
      throw util::Error(e.code(), one_line(e.what()), place());
    }
    ++m_skipped;
    std::string warning = "sse: warning: " + one_line(e.what()) + " (" + place() + "); event skipped";
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
