#pragma once
// Scanning one generation of a stream at open (internal to lib/store): where its commit
// points are, what of its last segment is a torn tail, and what is damage (see the recovery
// rules in disk_store.hpp).

#include "store/disk_store_internal.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace store::disk {

/// What scanning one generation of a stream found when it is intact (but for a torn tail).
struct Recovered {
  std::string name;
  std::uint64_t base = 0;
  std::vector<SegmentStart> segments;
  std::deque<Entry> entries;
  std::uint64_t total = 0;
  std::uint64_t last_size = 0;
  StreamMeta meta;
};

/// Where a generation is damaged, and its last intact commit point before the damage.
struct Damaged {
  std::string name;          ///< from an intact snapshot; "" if there is none
  std::size_t segment = 0;   ///< the damaged file: an index into the generation's files
  std::string file;          ///< its name
  std::uint64_t offset = 0;
  std::string what;
  std::optional<std::size_t> commit_segment; ///< none: no commit before the damage
  std::uint64_t commit_offset = 0;           ///< the end of the last intact snapshot there
};

struct Scan {
  enum class Kind { intact, uncommitted, damaged };
  Kind kind = Kind::uncommitted;
  Recovered recovered;
  Damaged damaged;
};

/// Scans the segments FILES (in order) of one generation in DIRNAME (under DIR_FD, the data
/// directory ROOT); MISSING is the index of the first file that comes after a gap in the
/// sequence, if there is one. Only the bytes after the last intact commit point of the last
/// segment can be a torn tail: a tail that is a prefix of frames, with no intact snapshot
/// after it and no whole frame that only its contents make bad. Such a tail is cut; anything
/// else wrong is damage, and then nothing is changed on disk. No complete snapshot at all is
/// a create that never committed.
Scan scan_generation(int dir_fd, const std::string& root, const std::string& dirname,
                     const std::vector<std::string>& files, std::optional<std::size_t> missing);

} // namespace store::disk
