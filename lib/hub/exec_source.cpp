#include "hub/exec_source.hpp"

#include "hub/encoding.hpp"
#include "proc/pty_process.hpp"
#include "util/error.hpp"

#include <sys/epoll.h>

namespace hub {
namespace {

constexpr auto k_reap_poll = std::chrono::milliseconds(50);
constexpr auto k_reap_grace = std::chrono::milliseconds(2000);

/// Waits (on the loop, never blocking it) for a terminated child to end; kills it after a grace.
void reap_later(net::EventLoop& loop, std::shared_ptr<proc::PtyProcess> process,
                net::EventLoop::Clock::time_point deadline)
{
  if (process->try_wait()) {
    return;
  }
  if (net::EventLoop::Clock::now() >= deadline) {
    process->wait_for_exit(std::chrono::milliseconds(0)); // SIGKILL, then a bounded wait
    return;
  }
  loop.after(k_reap_poll, [&loop, process, deadline]() { reap_later(loop, process, deadline); });
}

} // namespace

class ExecSource::Child {
public:
  Child(ExecSource& owner, std::shared_ptr<Session> session, proc::PtyProcess process)
    : m_owner(owner), m_session(std::move(session)),
      m_process(std::make_shared<proc::PtyProcess>(std::move(process)))
  {
  }

  ~Child() { stop(); }

  void watch()
  {
    m_fd = m_process->fd();
    m_owner.m_loop.add(m_fd, EPOLLIN, [this](std::uint32_t) { readable(); });
  }

  /// The client went, or the server ends: the child is asked to end and reaped later.
  void stop()
  {
    if (m_fd >= 0) {
      m_owner.m_loop.remove(m_fd);
      m_fd = -1;
    }
    if (m_process) {
      m_process->terminate();
      reap_later(m_owner.m_loop, std::move(m_process),
                 net::EventLoop::Clock::now() + k_reap_grace);
      m_process = nullptr;
    }
  }

  void finish()
  {
    stop();
    m_session->finish();
  }

private:
  void readable()
  {
    bool alive = true;
    try {
      alive = m_process->read_available(m_pending);
    } catch (const util::Error&) {
      alive = false;
    }
    std::size_t start = 0;
    while (true) {
      const auto newline = m_pending.find('\n', start);
      if (newline == std::string::npos) {
        break;
      }
      send_line(std::string_view(m_pending).substr(start, newline - start));
      start = newline + 1;
    }
    m_pending.erase(0, start);
    while (m_pending.size() >= m_owner.m_max_line) {
      send_line(std::string_view(m_pending).substr(0, m_owner.m_max_line));
      m_pending.erase(0, m_owner.m_max_line);
    }
    if (!alive) {
      if (!m_pending.empty()) {
        send_line(m_pending); // a last line without its newline is a line too
        m_pending.clear();
      }
      if (m_owner.m_stream.log) {
        m_owner.m_stream.log(m_session->peer() + ": the command ended");
      }
      finish();
    }
  }

  void send_line(std::string_view line)
  {
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    sse::Event event;
    event.data = line;
    event.id = std::to_string(++m_events);
    m_session->send(encode_event(event, m_owner.m_stream.eol));
  }

  ExecSource& m_owner;
  std::shared_ptr<Session> m_session;
  std::shared_ptr<proc::PtyProcess> m_process;
  int m_fd = -1;
  std::string m_pending;
  std::uint64_t m_events = 0;
};

ExecSource::ExecSource(net::EventLoop& loop, const StreamOptions& stream,
                       std::vector<std::string> argv, std::size_t max_line)
  : m_loop(loop), m_stream(stream), m_argv(std::move(argv)), m_max_line(max_line)
{
}

ExecSource::~ExecSource() = default;

void ExecSource::attach(const net::HttpRequest& request,
                        const std::shared_ptr<net::Connection>& connection,
                        const std::optional<std::string>&, const net::Headers& headers)
{
  if (request.method == "HEAD") {
    Session(m_loop, connection, m_stream).start(headers);
    return;
  }
  std::optional<proc::PtyProcess> process;
  try {
    process.emplace(proc::PtyProcess::spawn(m_argv));
  } catch (const util::Error& e) {
    net::Headers with = headers;
    with.emplace_back("Content-Type", "text/plain; charset=utf-8");
    connection->respond(500, with, std::string(e.what()) + "\n");
    if (m_stream.log) {
      m_stream.log(connection->peer() + ": " + e.what());
    }
    return;
  }
  auto session = std::make_shared<Session>(m_loop, connection, m_stream);
  session->start(headers);
  if (m_stream.log) {
    m_stream.log(connection->peer() + ": started " + m_argv.front() + " (pid " +
                 std::to_string(process->pid()) + ")");
  }
  auto child = std::make_shared<Child>(*this, session, std::move(*process));
  Child* raw = child.get();
  session->on_end([this, raw]() { forget(raw); });
  child->watch();
  m_children.insert(std::move(child));
}

void ExecSource::end()
{
  std::vector<std::shared_ptr<Child>> children(m_children.begin(), m_children.end());
  for (const auto& child : children) {
    child->finish();
  }
}

void ExecSource::forget(Child* child)
{
  // Deferred: the child may be in the middle of reading when its session ends.
  m_loop.at_end_of_round([this, child]() {
    for (auto it = m_children.begin(); it != m_children.end(); ++it) {
      if (it->get() == child) {
        (*it)->stop();
        m_children.erase(it);
        return;
      }
    }
  });
}

} // namespace hub
