#pragma once
// What the files of DiskStore share (internal to lib/store): the index of a stream's records,
// the writer's and the readers' state of a stream, a batch, and the catalogue's helpers.
//
//   disk_store.cpp       opening the data directory, the Store interface, reads
//   disk_catalogue.cpp   directory names, tombstones, kept copies, directory syncs
//   disk_recovery.cpp    loading the streams at open; damage and --repair
//   generation_scan.cpp  scanning one generation's segments for commits, torn tails, damage
//   disk_changes.cpp     what a create, append or remove does to the writer's state and files
//   disk_writer.cpp      the writer thread: batches, the group commit, undo, acknowledgements
//   segment_file.cpp     POSIX reads and writes of one segment file
//   log_codec.cpp        the bytes of the log

#include "store/disk_store.hpp"
#include "store/segment_file.hpp"

#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace store {

namespace disk {

/// Where one record is.
struct Entry {
  std::uint64_t pos = 0; ///< relative to the stream's base
  std::uint64_t off = 0; ///< of the payload in its segment
};

struct SegmentStart {
  std::string file;             ///< its name in the stream directory
  std::uint64_t first_record = 0;
};

/// A change the store refuses (only that op fails, not its batch).
class Refused : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The stream name a directory name encodes; "" when the encoding was cut (and hashed).
std::string name_of_directory(const std::string& dirname);

/// Whether DIR holds a copy a repair kept.
bool holds_kept_copies(const std::filesystem::path& dir);

/// A name for a copy of REL (under DIR_FD) kept from byte AT on that no file has yet.
std::string kept_name(int dir_fd, const std::string& rel, std::uint64_t at);

} // namespace disk

/// A live stream as the writer sees it (what is written, durable or not).
struct DiskStore::Files {
  std::string dirname;
  std::uint64_t gen = 0;
  std::vector<std::string> segments; ///< the generation's segment files, by sequence number
  std::uint64_t size = 0;            ///< bytes in the last segment
  std::uint64_t count = 0;           ///< records in the generation
  std::uint64_t total = 0;           ///< their bytes
  std::uint64_t base = 0;            ///< the first record's position
  StreamMeta meta;

  // This batch's changes.
  bool fresh = false;      ///< created in this batch: readers get a new view
  bool meta_dirty = false; ///< a snapshot is due
  bool dir_dirty = false;  ///< a file was created in the directory
  std::string pending;     ///< frames for the last segment
  std::vector<disk::Entry> new_entries;
  std::vector<disk::SegmentStart> new_segments;

  /// Frames RECORDS into PENDING and indexes them.
  void add(const std::vector<std::string>& records);
};

/// A stream as readers see it: durable state only.
struct DiskStore::View {
  std::string dirname;
  std::uint64_t base = 0;
  std::vector<disk::SegmentStart> segments;
  std::deque<disk::Entry> entries;
  std::uint64_t total = 0;
  StreamMeta meta;
};

struct DiskStore::Batch {
  std::vector<std::string> touched;                     ///< names, in the order first touched
  std::map<std::string, std::shared_ptr<Files>> before; ///< their state before (null: none)
  std::vector<std::function<bool()>> undo;
  bool root_dirty = false;
  std::vector<std::string> unlink_after;     ///< segment paths to delete once committed
  std::vector<std::string> tombstones_after; ///< directories to delete once committed
  std::vector<std::exception_ptr> errors;    ///< per op
};

} // namespace store
