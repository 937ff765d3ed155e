// sse append URL [DATA...]: write messages to a Durable Streams stream. DATA arguments go in
// one request; stdin is streamed: each line is a message, sent as it arrives, lines that come
// while a request is in flight batched into the next. Every request carries an idempotent
// producer's headers, so a retry after a lost reply never writes a message twice.

#include "commands.hpp"
#include "durable_client.hpp"
#include "exit_codes.hpp"
#include "io.hpp"
#include "typed_options.hpp"
#include "durable/client/batcher.hpp"
#include "durable/client/idempotent_producer.hpp"
#include "durable/protocol/rules.hpp"
#include "json/value.hpp"
#include "util/error.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <thread>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace cmd {
namespace {

struct AppendOptions {
  ClientOptions stream;
  std::vector<std::string> data;
  bool whole = false;
  std::optional<std::string> producer;
  std::uint64_t epoch = 0;
  bool claim = false;
  std::uint64_t batch_max = 1024 * 1024;
  std::chrono::milliseconds linger{0};
  std::optional<std::string> seq;
  bool create = false;
  StreamSettings settings;
  bool close = false;
};

// The JSON text of LINE without surrounding whitespace, or an error naming the line.
std::string_view json_line(std::string_view line, const std::string& where)
{
  const auto first = line.find_first_not_of(" \t\r\n");
  const auto last = line.find_last_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    throw util::Error(util::Errc::bad_input, "not valid JSON (empty)", where);
  }
  const std::string_view text = line.substr(first, last - first + 1);
  try {
    json::check_text(text);
  } catch (const util::Error& e) {
    throw util::Error(util::Errc::bad_input, e.what(), where);
  }
  return text;
}

bool blank(std::string_view line)
{
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// Reads stdin on its own thread into the batcher, so lines keep coming while a request is in
// flight. Stops at the end of input, at the first line that is not JSON in a JSON stream
// (nothing from it on is sent), or when told to.
class StdinLines {
public:
  StdinLines(durable::Batcher& batcher, bool json, bool whole)
    : m_batcher(batcher), m_json(json), m_whole(whole)
  {
    if (::pipe2(m_wake, O_CLOEXEC) != 0) {
      throw util::Error(util::Errc::runtime, std::string("pipe: ") + std::strerror(errno));
    }
    m_thread = std::thread([this] { run(); });
  }
  ~StdinLines()
  {
    stop();
    ::close(m_wake[0]);
    ::close(m_wake[1]);
  }
  StdinLines(const StdinLines&) = delete;
  StdinLines& operator=(const StdinLines&) = delete;

  void stop()
  {
    if (m_thread.joinable()) {
      m_batcher.cancel();
      const char byte = 0;
      (void)!::write(m_wake[1], &byte, 1);
      m_thread.join();
    }
  }
  /// Whether the input ended on an error; read it once take() said the input is over.
  bool error_pending() const { return m_failed.load(); }
  /// After the batcher ran dry: what ended the input early, if anything.
  std::optional<util::Error> error()
  {
    stop();
    return m_error;
  }

private:
  void run()
  {
    try {
      read_all();
    } catch (const util::Error& e) {
      m_error = e;
      m_failed = true;
    }
    m_batcher.finish();
  }

  // The next bytes of stdin; empty at its end or when stopped.
  std::string_view read_some()
  {
    pollfd fds[2] = {{0, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
    while (true) {
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) {
          continue;
        }
        throw util::Error(util::Errc::runtime, std::string("poll: ") + std::strerror(errno), "stdin");
      }
      if (fds[1].revents != 0) {
        return {};
      }
      const ssize_t n = ::read(0, m_buffer, sizeof m_buffer);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) {
          continue;
        }
        throw util::Error(util::Errc::runtime, std::string("cannot read: ") + std::strerror(errno),
                          "stdin");
      }
      return {m_buffer, static_cast<std::size_t>(n)};
    }
  }

  void read_all()
  {
    std::string pending;
    std::uint64_t number = 0;
    if (m_whole) {
      for (auto chunk = read_some(); !chunk.empty(); chunk = read_some()) {
        pending.append(chunk);
      }
      if (m_json) {
        // One message however it looks, an array too: the batch body wraps it in another.
        m_batcher.push(json_line(pending, "stdin"));
      } else if (!pending.empty()) {
        m_batcher.push(pending);
      }
      return;
    }
    auto line = [&](std::string_view text) {
      ++number;
      if (m_json) {
        if (blank(text)) {
          return true;
        }
        return m_batcher.push(json_line(text, "stdin:" + std::to_string(number)));
      }
      return m_batcher.push(text); // a byte stream keeps each line's LF
    };
    for (auto chunk = read_some(); !chunk.empty(); chunk = read_some()) {
      std::size_t start = 0;
      while (start < chunk.size()) {
        const void* found = std::memchr(chunk.data() + start, '\n', chunk.size() - start);
        if (found == nullptr) {
          pending.append(chunk.substr(start));
          break;
        }
        const auto stop = static_cast<std::size_t>(static_cast<const char*>(found) - chunk.data());
        const std::size_t end = m_json ? stop : stop + 1;
        bool go_on = true;
        if (pending.empty()) {
          go_on = line(chunk.substr(start, end - start));
        } else {
          pending.append(chunk.substr(start, end - start));
          go_on = line(pending);
          pending.clear();
        }
        if (!go_on) {
          return;
        }
        start = stop + 1;
      }
      // A byte stream's line longer than a batch goes in pieces rather than filling memory.
      if (!m_json && pending.size() >= k_piece) {
        if (!m_batcher.push(pending)) {
          return;
        }
        pending.clear();
      }
    }
    if (!pending.empty()) {
      line(pending);
    }
  }

  static constexpr std::size_t k_piece = 1 << 20;
  durable::Batcher& m_batcher;
  bool m_json;
  bool m_whole;
  int m_wake[2] = {-1, -1};
  char m_buffer[64 * 1024];
  std::optional<util::Error> m_error;
  std::atomic<bool> m_failed{false};
  std::thread m_thread;
};

// The stream's content type, creating the stream first with --create.
std::string prepare_stream(durable::Client& client, const AppendOptions& options)
{
  if (options.create) {
    try {
      return client.create(options.settings.create_request()).content_type;
    } catch (const durable::HttpError& e) {
      // 409: it exists with another configuration; appending to it may still be fine.
      if (e.status() != 409) {
        throw;
      }
    }
  }
  try {
    return client.info().content_type;
  } catch (const durable::HttpError& e) {
    if (!options.create && e.status() == 404) {
      throw util::Error(e.code(), std::string(e.what()) + "; --create creates it", e.where());
    }
    throw;
  }
}

int run_append(const AppendOptions& options, const Context& context)
{
  return with_client(options.stream, context, [&](durable::Client& client) {
    const std::string stream_type = prepare_stream(client, options);
    const bool json = durable::is_json(stream_type);
    durable::ProducerOptions producer_options;
    producer_options.id = options.producer.value_or(durable::default_producer_id());
    producer_options.epoch = options.epoch;
    producer_options.claim = options.claim;
    producer_options.stream_seq = options.seq;
    producer_options.number_stream_seq = options.data.empty() && !options.whole;
    durable::IdempotentProducer producer(client, producer_options,
                                         options.settings.type_or(stream_type));
    std::optional<durable::WriteResult> last;
    std::uint64_t messages = 0;

    if (!options.data.empty()) {
      std::string body = json ? "[" : "";
      for (std::size_t i = 0; i < options.data.size(); ++i) {
        if (json) {
          body += (i > 0 ? "," : "");
          body += json_line(options.data[i], "DATA " + std::to_string(i + 1));
        } else {
          body += options.data[i];
        }
      }
      if (json) {
        body += ']';
      }
      if (json || !body.empty() || options.close) {
        last = producer.send(json || !body.empty() ? body : std::string(), options.close);
        messages = options.data.size();
      }
    } else {
      const auto batch_max = static_cast<std::size_t>(options.batch_max);
      durable::Batcher batcher(json, batch_max, std::max<std::size_t>(4 * batch_max, 4 << 20));
      StdinLines input(batcher, json, options.whole);
      bool closed = false;
      try {
        while (auto batch = batcher.take(options.linger)) {
          // The close goes with the last batch, unless the input ended on an error.
          const bool close = options.close && batch->last && !input.error_pending();
          last = producer.send(batch->body, close);
          closed = close;
          messages += batch->messages;
        }
      } catch (const util::Error& e) {
        // What the server acknowledged stays appended: say how far it got, on stdout too.
        if (!last) {
          throw;
        }
        std::cout << last->next_offset << std::endl;
        throw util::Error(e.code(),
                          std::string(e.what()) + "; " + std::to_string(messages) + " message"
                            + (messages == 1 ? "" : "s") + " appended before it, up to offset "
                            + last->next_offset,
                          e.where());
      }
      if (auto error = input.error()) {
        if (last) {
          std::cout << last->next_offset << std::endl;
        }
        throw *error;
      }
      if (options.close && !closed) {
        last = producer.send({}, true);
      }
    }
    if (!last) {
      last = durable::WriteResult{};
      last->next_offset = client.info().next_offset;
    }
    if (context.verbosity > 0) {
      std::cerr << "sse: appended " << messages << " message" << (messages == 1 ? "" : "s") << " in "
                << producer.requests() << " request" << (producer.requests() == 1 ? "" : "s") << ", "
                << client.retries() << " retried, " << producer.duplicates()
                << " already written (" << client.url() << ")" << std::endl;
    }
    std::cout << last->next_offset << std::endl;
    return k_exit_ok;
  });
}

} // namespace

void register_append(CLI::App& app, Context& context)
{
  auto options = std::make_shared<AppendOptions>();
  auto* sub = app.add_subcommand("append");
  add_durable_options(*sub, options->stream);
  sub->add_option("DATA", options->data,
                  "Messages to append in one request; without them, each line of stdin");
  const char* input = "Input";
  auto* whole = sub->add_flag("--whole", options->whole, "Send all of stdin as one message")->group(input);
  add_size_option(*sub, "--batch-max", options->batch_max,
                  "Largest request body when batching stdin lines")
    ->group(input);
  add_duration_option(*sub, "--linger", options->linger,
                      "Wait up to DUR for more lines before sending a batch")
    ->group(input);

  const char* producer = "Producer";
  add_header_value_option(*sub, "--producer", options->producer,
                          "Idempotent producer id (default sse-HOST-PID)", "ID")
    ->group(producer);
  sub->add_option("--epoch", options->epoch, "Producer epoch (default 0)")
    ->option_text("N")
    ->group(producer);
  sub->add_flag("--claim", options->claim,
                "Take over from a producer with the same id: move to a higher epoch when refused")
    ->group(producer);
  add_header_value_option(*sub, "--seq", options->seq,
                          "Send Stream-Seq SEQ (stdin: SEQ.0000000000, SEQ.0000000001, ...)", "SEQ")
    ->group(producer);

  const char* stream = "Stream";
  sub->add_flag("--create", options->create, "Create the stream first if it does not exist")
    ->group(stream);
  add_stream_settings(*sub, options->settings,
                      "Content type to create with and send (default: the stream's)", stream);
  sub->add_flag("--close", options->close, "Close the stream after the last message")->group(stream);

  sub->callback([options, sub, whole, &context] {
    if (!options->data.empty() && whole->count() > 0) {
      throw CLI::ValidationError("--whole", "reads stdin; it cannot be combined with DATA");
    }
    if (!options->create && (options->settings.ttl || options->settings.expires_at)) {
      throw CLI::ValidationError(options->settings.ttl ? "--ttl" : "--expires-at", "needs --create");
    }
    (void)sub;
    context.run = [options, &context] { return run_append(*options, context); };
  });
}

} // namespace cmd
