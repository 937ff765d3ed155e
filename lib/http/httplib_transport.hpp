#pragma once
// The Transport that talks HTTP/1.1 over TCP or TLS through cpp-httplib.

#include "http/transport.hpp"

#include <memory>
#include <optional>
#include <string>
#include <mutex>

namespace httplib {
class ClientImpl;
}

namespace http {

class HttplibTransport : public Transport {
public:
  HttplibTransport();
  ~HttplibTransport() override;
  TransferResult send(const Request& request, ResponseHandler& handler) override;
  void cancel() override;
  void clear_cancel() override;

private:
  TransferResult send_once(const Request& request, ResponseHandler& handler,
                           std::optional<std::string>& location, int& status);

  std::mutex m_mutex; // guards m_client, which cancel() reaches from another thread
  httplib::ClientImpl* m_client = nullptr;
  bool m_cancelled = false;
};

} // namespace http
