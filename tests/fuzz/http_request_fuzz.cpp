// libFuzzer target: bytes fed to net::RequestReader in arbitrary pieces, the way a connection
// feeds it (the unconsumed bytes stay in front and the next piece is appended), must give
// exactly the requests and the final status that the same bytes fed whole give; and however
// they arrive, the reader never holds more than its bounds (a body over max_body, an
// unconsumed head over max_head, a chunk line over 1 KiB). The first bytes of the fuzz input
// choose the split points and the limits, the rest is the connection's input.

#include "net/http_request.hpp"

#include "split_input.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t k_max_chunk_line = 1024; ///< the reader's bound on a chunk-size line

std::string describe(const net::HttpRequest& request)
{
  std::string out = request.method + ' ' + request.target + " path=" + request.path +
                    " query=" + request.query + " 1." + std::to_string(request.minor_version) +
                    " {";
  for (const auto& [name, value] : request.headers) {
    out += name + '=' + value + ';';
  }
  return out + "} body=" + std::to_string(request.body.size()) + ':' + request.body + '\n';
}

[[noreturn]] void broken() { std::abort(); }

/// The requests read from STREAM fed in pieces of SIZES (in turn; whole when empty), then how
/// the reading ended.
std::string run(std::string_view stream, const std::vector<std::size_t>& sizes,
                net::RequestLimits limits)
{
  net::RequestReader reader(limits);
  net::HttpRequest request;
  std::string input;
  std::size_t pos = 0;
  std::string log;
  std::size_t at = 0;
  std::size_t next = 0;
  const std::size_t most_unread = std::max(limits.max_head + 3, k_max_chunk_line);
  while (at < stream.size()) {
    std::size_t size = sizes.empty() ? stream.size() : sizes[next++ % sizes.size()];
    size = std::min(size, stream.size() - at);
    input.append(stream.substr(at, size));
    at += size;
    while (true) {
      std::size_t consumed = 0;
      const net::ReadStatus status = reader.read(std::string_view(input).substr(pos), consumed, request);
      if (consumed > input.size() - pos) {
        broken();
      }
      pos += consumed;
      if (request.body.size() > limits.max_body) {
        broken();
      }
      if (status == net::ReadStatus::complete) {
        if (!net::is_token(request.method)) {
          broken();
        }
        for (const auto& [name, value] : request.headers) {
          if (!net::is_token(name) ||
              value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
            broken(); // a value that could inject a header when echoed
          }
        }
        log += describe(request);
        request = net::HttpRequest();
        continue;
      }
      if (status != net::ReadStatus::incomplete) {
        return log + "=> error " + std::to_string(static_cast<int>(status));
      }
      // What waits for more bytes is bounded: an unfinished head or chunk line.
      if (input.size() - pos > most_unread) {
        broken();
      }
      break;
    }
  }
  return log + "=> incomplete, " + std::to_string(input.size() - pos) + " unread";
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const auto input = split_input(data, size, 13);
  if (!input) {
    return 0;
  }
  // The setting: small limits, or the defaults.
  net::RequestLimits limits;
  if (input->setting < 128) {
    limits.max_head = 32 + (input->setting % 16) * 16;
    limits.max_body = (input->setting / 16) * 40;
  }
  const std::string_view stream = input->stream;
  const std::vector<std::size_t>& sizes = input->sizes;
  const std::string whole = run(stream, {}, limits);
  if (run(stream, {1}, limits) != whole) {
    broken();
  }
  if (!sizes.empty() && run(stream, sizes, limits) != whole) {
    broken();
  }
  return 0;
}
