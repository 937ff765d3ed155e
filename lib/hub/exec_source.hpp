#pragma once
// `sse serve --exec`: a child process per client (the websocketd model), each line it prints
// an event for that client. The child runs under a pseudo-terminal so that its stdio
// line-buffers; it ends when its client goes, and the stream ends when it exits.

#include "hub/session.hpp"
#include "hub/source.hpp"
#include "hub/stream_options.hpp"

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

namespace hub {

class ExecSource : public Source {
public:
  /// ARGV is the command; a line longer than MAX_LINE is sent in pieces of that size.
  ExecSource(net::EventLoop& loop, const StreamOptions& stream, std::vector<std::string> argv,
             std::size_t max_line);
  ~ExecSource() override;

  void attach(const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection,
              const std::optional<std::string>& last_event_id,
              const net::Headers& headers) override;
  std::size_t client_count() const override { return m_children.size(); }
  void end() override;

private:
  class Child;
  void forget(Child* child);

  net::EventLoop& m_loop;
  const StreamOptions& m_stream;
  std::vector<std::string> m_argv;
  std::size_t m_max_line;
  std::unordered_set<std::shared_ptr<Child>> m_children;
};

} // namespace hub
