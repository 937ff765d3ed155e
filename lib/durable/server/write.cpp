// POST: appends and closes, validated in order and stored in one write per batch.

#include "durable/server/internal.hpp"

#include "util/error.hpp"

namespace durable {

void Server::append(const net::HttpRequest& request,
                    const std::shared_ptr<net::Connection>& connection, const std::string& name)
{
  Stream* stream = find_or_answer(name, connection, true);
  if (stream == nullptr) {
    return;
  }
  stream->queue.push_back(Write{request, connection});
  run_writes(name);
}

void Server::run_writes(const std::string& name)
{
  const auto found = m_streams.find(name);
  if (found == m_streams.end()) {
    return;
  }
  Stream& stream = *found->second;
  if (stream.writing || stream.queue.empty()) {
    return;
  }
  store::StreamMeta meta = stream.meta;
  std::vector<std::string> records;
  // The answers go out once the batch is durable (or at once when nothing is written).
  std::vector<std::function<void(bool stored)>> answers;

  for (Write& write : stream.queue) {
    const auto& request = write.request;
    auto connection = write.connection;
    auto answer_now = [this, &answers, connection](int status, net::Headers headers, std::string why) {
      answers.push_back([=, this](bool) {
        if (why.empty()) {
          reply(connection, status, headers);
        } else {
          fail(connection, status, why, headers);
        }
      });
    };
    const std::string offset = format_offset(meta.tail);

    // Producer headers: all three or none.
    const std::string* id = request.header(header::lower(header::k_producer_id));
    const std::string* epoch_text = request.header(header::lower(header::k_producer_epoch));
    const std::string* seq_text = request.header(header::lower(header::k_producer_seq));
    std::optional<ProducerStamp> producer;
    if (id != nullptr || epoch_text != nullptr || seq_text != nullptr) {
      const auto epoch = epoch_text ? parse_counter(*epoch_text) : std::nullopt;
      const auto seq = seq_text ? parse_counter(*seq_text) : std::nullopt;
      if (id == nullptr || id->empty() || !epoch || !seq) {
        answer_now(400, {}, std::string(header::k_producer_id) + ", " + header::k_producer_epoch + " and " + header::k_producer_seq + " go together, as a "
                            "non-empty id and whole numbers");
        continue;
      }
      producer = ProducerStamp{*id, *epoch, *seq};
    }
    const bool close = is_true(request.header(header::lower(header::k_closed)));
    const bool close_only = close && request.body.empty();
    if (request.body.empty() && !close) {
      answer_now(400, {}, std::string("an append needs a body (or ") + header::k_closed + ": true)");
      continue;
    }
    const std::string* type = request.header("content-type");
    if (!close_only && (type == nullptr || type->empty())) {
      answer_now(400, {}, "an append needs a Content-Type");
      continue;
    }

    if (meta.closed) {
      net::Headers closed{{header::k_closed, "true"}, {header::k_next_offset, offset}};
      if (producer && producer->tuple() == meta.closed_by) {
        closed.emplace_back(header::k_producer_epoch, std::to_string(producer->epoch));
        closed.emplace_back(header::k_producer_seq, std::to_string(producer->seq));
        answer_now(204, closed, "");
        continue;
      }
      if (producer) {
        const auto state = meta.producers.find(producer->id);
        if (state != meta.producers.end() && producer->epoch < state->second.epoch) {
          answer_now(403, {{header::k_producer_epoch, std::to_string(state->second.epoch)}},
                     "a newer epoch of this producer has written");
          continue;
        }
      }
      if (close_only && !producer) {
        answer_now(204, closed, "");
        continue;
      }
      answer_now(409, closed, "the stream is closed");
      continue;
    }
    if (!close_only && media_type(*type) != media_type(meta.content_type)) {
      answer_now(409, {}, "the stream's content type is " + meta.content_type);
      continue;
    }
    if (producer) {
      const auto state = meta.producers.find(producer->id);
      if (state == meta.producers.end()) {
        if (producer->seq != 0) {
          answer_now(409, {{header::k_producer_expected_seq, "0"},
                           {header::k_producer_received_seq, std::to_string(producer->seq)}},
                     std::string("a new producer starts at ") + header::k_producer_seq + " 0");
          continue;
        }
      } else {
        const store::Producer last = state->second;
        if (producer->epoch < last.epoch) {
          answer_now(403, {{header::k_producer_epoch, std::to_string(last.epoch)}},
                     "a newer epoch of this producer has written");
          continue;
        }
        if (producer->epoch > last.epoch && producer->seq != 0) {
          answer_now(400, {}, std::string("a new epoch starts at ") + header::k_producer_seq + " 0");
          continue;
        }
        if (producer->epoch == last.epoch && producer->seq <= last.seq) {
          answer_now(204,
                     {{header::k_producer_epoch, std::to_string(last.epoch)},
                      {header::k_producer_seq, std::to_string(last.seq)},
                      {header::k_next_offset, offset}},
                     "");
          continue;
        }
        if (producer->epoch == last.epoch && producer->seq > last.seq + 1) {
          answer_now(409, {{header::k_producer_expected_seq, std::to_string(last.seq + 1)},
                           {header::k_producer_received_seq, std::to_string(producer->seq)}},
                     std::string(header::k_producer_seq) + " skips ahead");
          continue;
        }
      }
    }
    if (const std::string* seq = request.header(header::lower(header::k_seq))) {
      if (!meta.last_stream_seq.empty() && *seq <= meta.last_stream_seq) {
        answer_now(409, {}, std::string(header::k_seq) + " must grow");
        continue;
      }
    }
    std::vector<std::string> added;
    if (!close_only) {
      if (is_json(meta.content_type)) {
        std::vector<std::string> messages;
        try {
          messages = json_messages(request.body);
        } catch (const util::Error& e) {
          answer_now(400, {}, std::string("the body is not valid JSON: ") + e.what());
          continue;
        }
        if (messages.empty()) {
          answer_now(400, {}, "an empty JSON array appends nothing");
          continue;
        }
        added = std::move(messages);
      } else {
        added.push_back(request.body);
      }
    }
    // Accepted.
    for (auto& record : added) {
      meta.tail += record.size();
      records.push_back(std::move(record));
    }
    if (const std::string* seq = request.header(header::lower(header::k_seq))) {
      meta.last_stream_seq = *seq;
    }
    net::Headers headers{{header::k_next_offset, format_offset(meta.tail)}};
    if (producer) {
      meta.producers[producer->id] = store::Producer{producer->epoch, producer->seq};
      headers.emplace_back(header::k_producer_epoch, std::to_string(producer->epoch));
      headers.emplace_back(header::k_producer_seq, std::to_string(producer->seq));
    }
    if (close) {
      meta.closed = true;
      meta.closed_by = producer ? producer->tuple() : "";
      headers.emplace_back(header::k_closed, "true");
    }
    const int status = producer && !close_only ? 200 : 204;
    answers.push_back([this, connection, status, headers](bool stored) {
      if (stored) {
        reply(connection, status, headers);
      } else {
        fail(connection, 500, "the append could not be stored");
      }
    });
  }
  stream.queue.clear();

  if (records.empty() && meta == stream.meta) {
    for (auto& answer : answers) {
      answer(true);
    }
    return;
  }
  stream.writing = true;
  auto alive = m_alive;
  m_store.append(name, meta, std::move(records),
                 [this, alive, name, meta, answers = std::move(answers)](std::exception_ptr error) {
                   m_loop.run_or_post([this, alive, name, meta, answers, error]() {
                     if (!*alive) {
                       return;
                     }
                     const auto current = m_streams.find(name);
                     if (current != m_streams.end()) {
                       current->second->writing = false;
                       if (!error) {
                         // Forks made or deleted meanwhile changed these; the rest is ours.
                         auto committed = meta;
                         committed.fork_count = current->second->meta.fork_count;
                         committed.soft_deleted = current->second->meta.soft_deleted;
                         current->second->meta = committed;
                       }
                     }
                     for (const auto& answer : answers) {
                       answer(!error);
                     }
                     if (current != m_streams.end()) {
                       wake_readers(name);
                       run_writes(name);
                     }
                   });
                 });
}

} // namespace durable
