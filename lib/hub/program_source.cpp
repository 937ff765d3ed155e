#include "hub/program_source.hpp"

#include "hub/encoding.hpp"

#include <vector>

namespace hub {

std::optional<std::size_t> ScriptProgram::resume_after(const std::string& id)
{
  for (std::size_t i = m_steps.size(); i-- > 0;) {
    if (m_steps[i].kind == Step::Kind::event && m_steps[i].event.id == id) {
      std::size_t next = i + 1;
      while (next < m_steps.size() && m_steps[next].kind != Step::Kind::event) {
        ++next;
      }
      return next;
    }
  }
  return std::nullopt;
}

/// One client going through the program.
class ProgramSource::Player : public std::enable_shared_from_this<Player> {
public:
  Player(ProgramSource& owner, std::shared_ptr<Session> session, std::size_t index)
    : m_owner(owner), m_session(std::move(session)), m_index(index)
  {
  }
  ~Player() { m_owner.m_loop.cancel(m_timer); }

  /// Runs steps until one has to wait, the program ends or the client goes.
  void run()
  {
    while (m_session->open()) {
      const Step* step = m_owner.m_program.step(m_index);
      if (step == nullptr) {
        m_session->finish();
        return;
      }
      const auto wait = m_waited ? std::chrono::milliseconds(0)
                                 : step->delay + (step->kind == Step::Kind::stall ? step->duration
                                                                                  : std::chrono::milliseconds(0));
      if (step->kind == Step::Kind::stall && !m_waited) {
        m_session->stall(wait);
      }
      if (wait.count() > 0) {
        m_waited = true;
        std::weak_ptr<Player> weak = weak_from_this();
        m_timer = m_owner.m_loop.after(wait, [weak]() {
          if (const auto self = weak.lock()) {
            self->m_timer = 0;
            self->run();
          }
        });
        return;
      }
      m_waited = false;
      ++m_index;
      perform(*step);
    }
  }

  void stop() { m_session->finish(); }

private:
  void perform(const Step& step)
  {
    const std::string& eol = m_owner.m_stream.eol;
    switch (step.kind) {
    case Step::Kind::event:
      m_session->send(encode_event(step.event, eol));
      break;
    case Step::Kind::comment:
      m_session->send(encode_comment(step.text, eol));
      break;
    case Step::Kind::retry:
      m_session->send(encode_retry(step.retry_ms, eol));
      break;
    case Step::Kind::raw:
      m_session->send(step.text);
      break;
    case Step::Kind::drop:
      m_session->drop();
      break;
    case Step::Kind::stall:
      break; // the wait before it was the stall
    case Step::Kind::status:
      m_owner.m_pending_status.push_back(&step);
      break;
    }
  }

  ProgramSource& m_owner;
  std::shared_ptr<Session> m_session;
  std::size_t m_index;
  bool m_waited = false; ///< the current step's wait is over
  net::EventLoop::TimerId m_timer = 0;
};

ProgramSource::ProgramSource(net::EventLoop& loop, const StreamOptions& stream, Program& program)
  : m_loop(loop), m_stream(stream), m_program(program)
{
}

ProgramSource::~ProgramSource() = default;

void ProgramSource::attach(const net::HttpRequest&, const std::shared_ptr<net::Connection>& connection,
                           const std::optional<std::string>& last_event_id,
                           const net::Headers& headers)
{
  if (!m_pending_status.empty()) {
    const Step* status = m_pending_status.front();
    m_pending_status.pop_front();
    net::Headers with = headers;
    if (status->retry_after) {
      with.emplace_back("Retry-After", std::to_string(*status->retry_after));
    }
    with.emplace_back("Content-Type", "text/plain; charset=utf-8");
    connection->respond(status->status, with, status->text);
    if (m_stream.log) {
      m_stream.log(connection->peer() + ": answered " + std::to_string(status->status) +
                   " (script)");
    }
    return;
  }
  std::size_t start = 0;
  std::string notice;
  if (last_event_id && !last_event_id->empty()) {
    if (const auto index = m_program.resume_after(*last_event_id)) {
      start = *index;
      if (m_program.step(start) == nullptr) {
        connection->respond(204, headers, {}); // nothing left: EventSource stops here
        return;
      }
    } else {
      notice = "Last-Event-ID " + *last_event_id + " is not in the script; starting over";
    }
  }
  auto session = open_session(m_loop, connection, m_stream, headers, last_event_id,
                              "from step " + std::to_string(start + 1), notice);
  if (!session) {
    return;
  }
  auto player = std::make_shared<Player>(*this, session, start);
  Player* raw = player.get();
  session->on_end([this, raw]() { forget(raw); });
  m_players.insert(player);
  player->run();
}

void ProgramSource::end()
{
  std::vector<std::shared_ptr<Player>> players(m_players.begin(), m_players.end());
  for (const auto& player : players) {
    player->stop();
  }
}

void ProgramSource::forget(Player* player)
{
  // Deferred: the player may be running the step that ended its session.
  m_loop.at_end_of_round([this, player]() {
    for (auto it = m_players.begin(); it != m_players.end(); ++it) {
      if (it->get() == player) {
        m_players.erase(it);
        return;
      }
    }
  });
}

} // namespace hub
