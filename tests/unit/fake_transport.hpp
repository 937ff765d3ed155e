#pragma once
// A transport that plays scripted responses and records every request, so protocol logic
// (reconnects, retries, offsets) is checked without a network or a clock that matters.

#include "http/transport.hpp"

#include <deque>
#include <string>
#include <vector>

namespace test_http {

using Outcome = http::TransferResult::Outcome;

/// One response: STATUS 0 means no response at all (the transfer ends with END at once);
/// otherwise the head, the CHUNKS one by one, then END.
struct Scripted {
  int status = 200;
  http::Headers headers = {{"Content-Type", "text/event-stream"}};
  std::vector<std::string> chunks;
  Outcome end = Outcome::completed;
};

/// No connection could be made.
inline Scripted refused()
{
  return {0, {}, {}, Outcome::connect_failed};
}

/// Plays RESPONSES in order; the last one is repeated for every further request.
class FakeTransport : public http::Transport {
public:
  std::deque<Scripted> responses;
  std::vector<http::Request> requests;

  http::TransferResult send(const http::Request& request, http::ResponseHandler& handler) override
  {
    requests.push_back(request);
    if (responses.empty()) {
      return {Outcome::connect_failed, "no more responses"};
    }
    Scripted response = responses.front();
    if (responses.size() > 1) {
      responses.pop_front();
    }
    if (response.status == 0) {
      return {response.end, "refused"};
    }
    if (!handler.on_head({response.status, "Reason", response.headers})) {
      return {Outcome::stopped, {}};
    }
    for (const auto& chunk : response.chunks) {
      if (!handler.on_body(chunk)) {
        return {Outcome::stopped, {}};
      }
    }
    return {response.end, response.end == Outcome::completed ? "" : "connection reset"};
  }
  void cancel() override {}
  void clear_cancel() override {}
};

} // namespace test_http
