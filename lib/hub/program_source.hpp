#pragma once
// Plays a Program to every client on its own; `status` steps answer the next connection.

#include "hub/program.hpp"
#include "hub/session.hpp"
#include "hub/source.hpp"
#include "hub/stream_options.hpp"

#include <deque>
#include <memory>
#include <unordered_set>

namespace hub {

class ProgramSource : public Source {
public:
  ProgramSource(net::EventLoop& loop, const StreamOptions& stream, Program& program);
  ~ProgramSource() override;

  void attach(const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection,
              const std::optional<std::string>& last_event_id,
              const net::Headers& headers) override;
  std::size_t client_count() const override { return m_players.size(); }
  void end() override;

private:
  class Player;
  void forget(Player* player);

  net::EventLoop& m_loop;
  const StreamOptions& m_stream;
  Program& m_program;
  std::deque<const Step*> m_pending_status; ///< answers for the next connections
  std::unordered_set<std::shared_ptr<Player>> m_players;
};

} // namespace hub
