#include "serve_durable.hpp"

#include "exit_codes.hpp"
#include "signal_watch.hpp"

#include "durable/server/server.hpp"
#include "net/event_loop.hpp"
#include "net/http_server.hpp"
#include "store/disk_store.hpp"
#include "store/memory_store.hpp"

#include <sys/epoll.h>

#include <iostream>
#include <memory>
#include <string>

namespace cmd {

namespace {

/// One line about DAMAGE for stderr.
std::string describe_damage(const store::Damage& damage)
{
  const std::string stream = damage.stream.empty() ? "a stream" : "stream " + damage.stream;
  const std::string where = " (" + damage.file + " at byte " + std::to_string(damage.offset) + ")";
  if (!damage.repaired) {
    return stream + " is damaged and not served until it is repaired: " + damage.what + where;
  }
  std::string line = stream + " was damaged: " + damage.what + where + "; repaired: cut " +
                     damage.cut_file + " at byte " + std::to_string(damage.cut_at);
  for (std::size_t i = 0; i < damage.kept.size(); ++i) {
    line += (i == 0 ? ", what was cut is kept in " : ", ") + damage.kept[i];
  }
  return line;
}

} // namespace

int run_durable(const DurableOptions& options, const Context& context)
{
  // The loop first: the store's last callbacks, as it shuts down, post to it.
  SignalWatch signals;
  net::EventLoop loop;
  std::unique_ptr<store::Store> storage;
  if (options.memory) {
    storage = std::make_unique<store::MemoryStore>();
  } else {
    store::DiskStoreOptions disk;
    disk.repair = options.repair;
    storage = std::make_unique<store::DiskStore>(options.data_dir, disk);
  }
  // Damage is the operator's to see, once, before the server listens; the rest is served.
  for (const auto& damage : storage->damage()) {
    std::cerr << "sse: warning: " << describe_damage(damage) << std::endl;
  }

  durable::ServerOptions server_options;
  server_options.long_poll_timeout = options.long_poll_timeout;
  server_options.token = options.token;
  server_options.access = options.access;
  if (context.verbosity > 0) {
    server_options.log = [](const std::string& line) {
      std::cerr << "sse serve: " << line << std::endl;
    };
  }
  durable::Server protocol(loop, *storage, server_options);
  protocol.load();

  net::ServerOptions http;
  http.host = options.host;
  http.port = options.port;
  http.limits.max_body = static_cast<std::size_t>(options.max_body);
  net::HttpServer server(loop, http,
                         [&](const net::HttpRequest& request,
                             const std::shared_ptr<net::Connection>& connection) {
                           protocol.handle(request, connection);
                         });
  server.listen();
  const std::string host =
    options.host.find(':') != std::string::npos && options.host.front() != '['
      ? "[" + options.host + "]"
      : options.host;
  const std::string url = "http://" + host + ":" + std::to_string(server.port());
  protocol.set_base_url(url);

  int exit_code = k_exit_ok;
  auto shutdown = [&]() {
    protocol.shutdown();
    server.drain(std::chrono::seconds(5), [&loop]() { loop.stop(); });
  };
  bool stopping = false;
  loop.add(signals.fd(), EPOLLIN, [&](std::uint32_t) {
    const int signal = signals.take();
    if (signal == SIGINT) {
      exit_code = k_exit_interrupted;
    }
    if (signal != 0 && !stopping) {
      stopping = true;
      shutdown();
    }
  });

  std::cerr << "listening on " << url << std::endl;
  loop.run();
  return exit_code;
}

} // namespace cmd
