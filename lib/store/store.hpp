#pragma once
// Where Durable Streams live: the interface the protocol layer (lib/durable) writes through,
// so that an on-disk log, memory, or later a networked store (Redis Streams) can hold them
// without the HTTP layer changing.
//
// The protocol layer keeps every stream's metadata in memory and is the only writer; a store
// makes it durable. A stream's own data is a sequence of records (an append's bytes, or one
// JSON message), each at a logical position: the stream's fork offset (0 unless it is a fork)
// plus the sizes of the records before it.

#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace store {

/// An idempotent producer's last accepted (epoch, seq) on one stream.
struct Producer {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  bool operator==(const Producer&) const = default;
};

struct StreamMeta {
  std::string content_type;
  std::optional<std::uint64_t> ttl_seconds;     ///< Stream-TTL: sliding, from the last access
  std::optional<std::string> expires_at;        ///< Stream-Expires-At as the client gave it
  std::optional<std::int64_t> expires_at_ms;    ///< the same, in ms since the Unix epoch
  bool closed = false;
  std::string closed_by;                        ///< "ID epoch seq" of the producer that closed it
  std::string last_stream_seq;                  ///< the last Stream-Seq accepted ("" if none)
  std::map<std::string, Producer> producers;
  std::string forked_from;                      ///< the source stream's name; "" if not a fork
  std::uint64_t fork_offset = 0;                ///< where this stream's own records start
  std::uint64_t tail = 0;                       ///< the position after the last record
  std::uint64_t fork_count = 0;                 ///< live forks of this stream
  bool soft_deleted = false;                    ///< deleted while forks still read from it
  std::int64_t created_ms = 0;
  bool operator==(const StreamMeta&) const = default;
};

/// One record of a stream's own data and where it starts.
struct Record {
  std::uint64_t position = 0;
  std::string bytes;
};

/// Damage a store found in a stream's data at open: the stream is not served (nor replaced or
/// removed) until the damage is repaired, and nothing of it is cut or deleted unless a repair
/// was asked for.
struct Damage {
  std::string stream;        ///< the stream's name; "" when no intact part of it names it
  std::string file;          ///< the damaged file (a path)
  std::uint64_t offset = 0;  ///< where in FILE the damage starts
  std::string what;          ///< what is wrong there
  bool repaired = false;      ///< the stream was cut back to its last intact commit
  std::string cut_file;      ///< if repaired: the file cut, at CUT_AT (the rest of it and every
  std::uint64_t cut_at = 0;  ///< later file of the stream moved to KEPT)
  std::vector<std::string> kept; ///< the copies of what the repair cut (paths)
};

class Store {
public:
  /// Runs once the change is durable, or with the error that stopped it (the change then did
  /// not happen). It may run on another thread.
  using Done = std::function<void(std::exception_ptr error)>;

  virtual ~Store() = default;

  /// Every stream, as the store holds it (after recovery), for the protocol layer to start from.
  virtual std::vector<std::pair<std::string, StreamMeta>> load() = 0;
  /// What the store found damaged when it opened (or repaired, see Damage); none by default.
  virtual std::vector<Damage> damage() const { return {}; }

  /// Creates the stream NAME with META and RECORDS, replacing any earlier stream of that name
  /// (a re-create after delete or expiry starts empty).
  virtual void create(const std::string& name, const StreamMeta& meta,
                      std::vector<std::string> records, Done done) = 0;
  /// Appends RECORDS (possibly none) to NAME and sets its metadata to META, both or neither:
  /// a crash never leaves records without the metadata that accepted them (producer state).
  virtual void append(const std::string& name, const StreamMeta& meta,
                      std::vector<std::string> records, Done done) = 0;
  /// Forgets NAME and its records.
  virtual void remove(const std::string& name, Done done) = 0;

  /// NAME's own records that end after FROM, in order, until about MAX_BYTES have been
  /// collected (at least one record when there is one). Only durable records are returned.
  /// Throws util::Error(runtime) on an I/O error.
  virtual std::vector<Record> read(const std::string& name, std::uint64_t from,
                                   std::size_t max_bytes) = 0;

  /// Receives one record: where it starts, and its bytes (valid during the call only).
  using Visitor = std::function<void(std::uint64_t position, std::string_view bytes)>;
  /// Calls EACH with the records read(NAME, FROM, MAX_BYTES) returns, in order, without
  /// copying them out where the store can (the default calls read()). EACH must not call the
  /// store. Throws as read() does.
  virtual void read_each(const std::string& name, std::uint64_t from, std::size_t max_bytes,
                         const Visitor& each)
  {
    for (const auto& record : read(name, from, max_bytes)) {
      each(record.position, record.bytes);
    }
  }

protected:
  /// read() for a store whose read_each() does the reading: the records it visits, copied.
  std::vector<Record> read_by_visiting(const std::string& name, std::uint64_t from,
                                       std::size_t max_bytes)
  {
    std::vector<Record> out;
    read_each(name, from, max_bytes, [&out](std::uint64_t position, std::string_view bytes) {
      out.push_back(Record{position, std::string(bytes)});
    });
    return out;
  }
};

} // namespace store
