#include "store/disk_store.hpp"

#include "store/log_codec.hpp"

#include "util/error.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <system_error>

namespace fs = std::filesystem;

namespace store {

namespace {

constexpr std::size_t k_max_dirname = 200;
constexpr std::size_t k_read_buffer = std::size_t{1} << 20;
constexpr std::size_t k_open_files = 64; ///< segment files a commit has open at once

std::string errno_text(int error)
{
  return std::strerror(error);
}

[[noreturn]] void fail(const std::string& what, const std::string& where, int error)
{
  throw util::Error(util::Errc::runtime, what + ": " + errno_text(error), where);
}

// --- files ----------------------------------------------------------------------------------

std::string segment_name(std::uint64_t gen, std::uint64_t seq)
{
  char text[40];
  std::snprintf(text, sizeof text, "%016llx-%08llx.log", static_cast<unsigned long long>(gen),
                static_cast<unsigned long long>(seq));
  return text;
}

/// GEN and SEQ of a segment file name; nullopt for any other name.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_segment_name(const std::string& name)
{
  if (name.size() != 16 + 1 + 8 + 4 || name[16] != '-' || !name.ends_with(".log")) {
    return std::nullopt;
  }
  const auto hex = [](std::string_view digits) -> std::optional<std::uint64_t> {
    std::uint64_t value = 0;
    for (const char c : digits) {
      int digit = 0;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else {
        return std::nullopt;
      }
      value = value * 16 + static_cast<std::uint64_t>(digit);
    }
    return value;
  };
  const auto gen = hex(std::string_view(name).substr(0, 16));
  const auto seq = hex(std::string_view(name).substr(17, 8));
  if (!gen || !seq) {
    return std::nullopt;
  }
  return std::make_pair(*gen, *seq);
}

/// Reads up to SIZE bytes at OFFSET, fewer only at the end of the file.
std::size_t pread_full(int fd, char* buffer, std::size_t size, std::uint64_t offset,
                       const std::string& path)
{
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got = ::pread(fd, buffer + done, size - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int saved = errno;
      fail("cannot read " + path, path, saved);
    }
    if (got == 0) {
      break;
    }
    done += static_cast<std::size_t>(got);
  }
  return done;
}

/// Buffered reads of one segment file during recovery.
class SegmentReader {
public:
  SegmentReader(int fd, std::string path) : m_fd(fd), m_path(std::move(path)) {}

  /// The N bytes at OFFSET, which the caller knows lie within the file.
  const char* at(std::uint64_t offset, std::size_t n)
  {
    if (offset >= m_start && offset + n <= m_start + m_length) {
      return m_buffer.data() + (offset - m_start);
    }
    const std::size_t want = std::max(n, k_read_buffer);
    if (m_buffer.size() < want) {
      m_buffer.resize(want);
    }
    m_length = pread_full(m_fd, m_buffer.data(), want, offset, m_path);
    m_start = offset;
    if (m_length < n) {
      throw util::Error(util::Errc::runtime, "cannot read " + m_path + ": the file shrank", m_path);
    }
    return m_buffer.data();
  }

private:
  int m_fd;
  std::string m_path;
  std::vector<char> m_buffer;
  std::uint64_t m_start = 0;
  std::size_t m_length = 0;
};

class Fd {
public:
  explicit Fd(int fd = -1) : m_fd(fd) {}
  ~Fd()
  {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }

private:
  int m_fd;
};

std::uint64_t fnv1a64(std::string_view text)
{
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

bool too_big(const std::vector<std::string>& records)
{
  return std::any_of(records.begin(), records.end(), [](const std::string& r) {
    return r.size() > std::numeric_limits<std::uint32_t>::max();
  });
}

[[noreturn]] void shorter(const std::string& path)
{
  throw util::Error(util::Errc::runtime, "cannot read " + path + ": it is shorter than its index",
                    path);
}

std::exception_ptr error(const std::string& what, const std::string& where = {})
{
  return std::make_exception_ptr(util::Error(util::Errc::runtime, what, where));
}

/// A change the store refuses (only that op fails, not its batch).
class Refused : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct Entry {
  std::uint64_t pos = 0; ///< relative to the stream's base
  std::uint64_t off = 0; ///< of the payload in its segment
};

struct SegmentStart {
  std::string file;             ///< its name in the stream directory
  std::uint64_t first_record = 0;
};

} // namespace

// --- state ----------------------------------------------------------------------------------

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
  std::vector<Entry> new_entries;
  std::vector<SegmentStart> new_segments;

  /// Frames RECORDS into PENDING and indexes them.
  void add(const std::vector<std::string>& records)
  {
    for (const auto& record : records) {
      new_entries.push_back(Entry{total, size + pending.size() + codec::k_frame_header});
      codec::append_frame(pending, codec::FrameType::data, record);
      total += record.size();
      ++count;
    }
  }
};

/// A stream as readers see it: durable state only.
struct DiskStore::View {
  std::string dirname;
  std::uint64_t base = 0;
  std::vector<SegmentStart> segments;
  std::deque<Entry> entries;
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

// --- construction and recovery --------------------------------------------------------------

std::string DiskStore::directory_name(std::string_view name)
{
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out = "s_";
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
        (byte >= '0' && byte <= '9') || byte == '.' || byte == '_' || byte == '-') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(k_hex[byte >> 4]);
      out.push_back(k_hex[byte & 0xF]);
    }
  }
  if (out.size() > k_max_dirname) {
    char hash[24];
    std::snprintf(hash, sizeof hash, "~%016llx", static_cast<unsigned long long>(fnv1a64(name)));
    out.resize(k_max_dirname - 20);
    out += hash;
  }
  return out;
}

DiskStore::DiskStore(std::string directory, DiskStoreOptions options)
  : m_options(options)
{
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) {
    throw util::Error(util::Errc::runtime,
                      "cannot create the data directory " + directory + ": " + ec.message(),
                      directory);
  }
  m_directory = fs::absolute(directory, ec).lexically_normal().string();
  if (ec) {
    m_directory = directory;
  }
  m_dir_fd = ::open(m_directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (m_dir_fd < 0) {
    const int saved = errno;
    fail("cannot open the data directory " + directory, directory, saved);
  }
  m_lock_fd = ::openat(m_dir_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_lock_fd < 0) {
    const int error = errno;
    ::close(m_dir_fd);
    fail("cannot open the lock file in the data directory " + directory, directory, error);
  }
  if (::flock(m_lock_fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(m_lock_fd);
    ::close(m_dir_fd);
    if (error == EWOULDBLOCK) {
      throw util::Error(util::Errc::runtime,
                        "data directory is in use by another process: " + directory, directory);
    }
    fail("cannot lock the data directory " + directory, directory, error);
  }
  try {
    recover();
  } catch (...) {
    ::close(m_lock_fd);
    ::close(m_dir_fd);
    throw;
  }
  m_writer = std::thread([this]() { writer_main(); });
}

DiskStore::~DiskStore()
{
  {
    const std::lock_guard lock(m_queue_mutex);
    m_stopping = true;
  }
  m_queue_ready.notify_all();
  if (m_writer.joinable()) {
    m_writer.join();
  }
  ::close(m_lock_fd);
  ::close(m_dir_fd);
}

void DiskStore::recover()
{
  std::vector<std::string> streams;
  std::vector<std::string> tombstones;
  std::error_code ec;
  for (fs::directory_iterator it(m_directory, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string entry = it->path().filename().string();
    if (entry.starts_with("t_")) {
      tombstones.push_back(entry);
    } else if (entry.starts_with("s_")) {
      streams.push_back(entry);
    }
  }
  if (ec) {
    throw util::Error(util::Errc::runtime,
                      "cannot list the data directory " + m_directory + ": " + ec.message(),
                      m_directory);
  }
  // Removals that were durable but not finished.
  bool removed = !tombstones.empty();
  for (const auto& tombstone : tombstones) {
    fs::remove_all(fs::path(m_directory) / tombstone, ec);
    ec.clear();
  }
  std::sort(streams.begin(), streams.end());
  for (const auto& dirname : streams) {
    if (!fs::is_directory(fs::path(m_directory) / dirname, ec)) {
      ec.clear();
      continue;
    }
    const std::size_t before = m_files.size();
    recover_stream(dirname, m_options.repair);
    removed = removed || m_files.size() == before;
  }
  if (removed) {
    ::fsync(m_dir_fd);
  }
}

namespace {

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

/// The offset of the first intact version 2 snapshot (of NAME, unless NAME is empty) that
/// starts in [FROM, SIZE) of the file READER reads, and its name; nullopt if there is none.
std::optional<std::pair<std::uint64_t, std::string>>
find_commit(SegmentReader& reader, std::uint64_t from, std::uint64_t size, const std::string& name)
{
  for (std::uint64_t p = from; p + codec::k_snapshot_anchor <= size; ++p) {
    if (!codec::snapshot_anchor(reader.at(p, codec::k_snapshot_anchor), p)) {
      continue;
    }
    const auto header = codec::read_frame_header(reader.at(p, codec::k_frame_header));
    if (size - p - codec::k_frame_header < header.length) {
      continue;
    }
    const std::string_view payload(reader.at(p + codec::k_frame_header, header.length),
                                   header.length);
    if (!codec::frame_valid(header, payload)) {
      continue;
    }
    auto snapshot = codec::decode_snapshot(payload);
    if (snapshot && (name.empty() || snapshot->name == name)) {
      return std::make_pair(p, std::move(snapshot->name));
    }
  }
  return std::nullopt;
}

/// Scans the segments FILES (in order) of one generation in DIRNAME (under DIR_FD); MISSING
/// is the index of the first file that comes after a gap in the sequence, if there is one.
/// Only the bytes after the last intact commit point of the last segment can be a torn tail:
/// a tail that is a prefix of frames, with no intact snapshot after it and no whole frame
/// that only its contents make bad. Such a tail is cut; anything else wrong is damage, and
/// then nothing is changed on disk. No complete snapshot at all is a create that never
/// committed.
Scan scan_generation(int dir_fd, const std::string& root, const std::string& dirname,
                     const std::vector<std::string>& files, std::optional<std::size_t> missing)
{
  Scan scan;
  Recovered& r = scan.recovered;
  std::uint64_t count = 0;
  std::uint64_t total = 0;
  std::uint64_t committed_count = 0;
  std::uint64_t committed_total = 0;
  std::vector<std::uint64_t> sizes;
  bool have_snapshot = false;
  std::optional<std::size_t> commit_segment;
  std::uint64_t commit_offset = 0;
  const auto damaged = [&](std::size_t k, std::string file, std::uint64_t offset,
                           std::string what) {
    scan.kind = Scan::Kind::damaged;
    scan.damaged = Damaged{have_snapshot ? r.name : "", k,           std::move(file), offset,
                           std::move(what),           commit_segment, commit_offset};
    return scan;
  };

  for (std::size_t k = 0; k < files.size(); ++k) {
    if (missing && k == *missing) {
      return damaged(k, segment_name(parse_segment_name(files[k])->first, k), 0,
                     "the segment is missing");
    }
    const bool last = k + 1 == files.size();
    const std::string rel = dirname + "/" + files[k];
    const std::string path = root + "/" + rel;
    const Fd fd(::openat(dir_fd, rel.c_str(), (last ? O_RDWR : O_RDONLY) | O_CLOEXEC));
    if (fd.get() < 0) {
      const int saved = errno;
      fail("cannot open " + path, path, saved);
    }
    struct stat st = {};
    if (::fstat(fd.get(), &st) != 0) {
      const int saved = errno;
      fail("cannot stat " + path, path, saved);
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    r.segments.push_back(SegmentStart{files[k], count});
    SegmentReader reader(fd.get(), path);
    std::uint64_t off = 0;
    std::uint64_t snapshot_end = 0;
    std::string problem; ///< what stopped the scan before the end of the file
    bool whole = false;  ///< the bad frame is all there: its bytes are wrong, not missing
    const auto at = [&](std::uint64_t offset) { return " at byte " + std::to_string(offset); };
    while (off < size) {
      if (size - off < codec::k_frame_header) {
        problem = "a partial frame header";
        break;
      }
      const auto header = codec::read_frame_header(reader.at(off, codec::k_frame_header));
      const std::uint64_t rest = size - off - codec::k_frame_header;
      if (rest < header.length || !codec::frame_valid(header, std::string_view(
                                    reader.at(off + codec::k_frame_header, header.length),
                                    header.length))) {
        if (rest < header.length) {
          problem = "a frame that runs past the end of the file";
        } else if (header.type != static_cast<unsigned char>(codec::FrameType::data) &&
                   header.type != static_cast<unsigned char>(codec::FrameType::meta)) {
          problem = "a frame of unknown type";
        } else {
          problem = "a frame with a bad checksum";
        }
        // A frame that reaches exactly to the end of the file, or that would be valid if it
        // did (its length field damaged), was written whole: not a torn write. A header of
        // zeros is a file extended but never written.
        const bool zeros = header.length == 0 && header.crc == 0 && header.type == 0;
        whole = (!zeros && rest == header.length) ||
                codec::frame_valid_with_length(
                  header, std::string_view(reader.at(off + codec::k_frame_header, rest), rest));
        break;
      }
      const std::string_view payload(reader.at(off + codec::k_frame_header, header.length),
                                     header.length);
      if (header.type == static_cast<unsigned char>(codec::FrameType::data)) {
        r.entries.push_back(Entry{total, off + codec::k_frame_header});
        total += header.length;
        ++count;
      } else {
        auto snapshot = codec::decode_snapshot(payload);
        if (!snapshot) {
          return damaged(k, files[k], off, "unreadable metadata");
        }
        if (have_snapshot && snapshot->name != r.name) {
          return damaged(k, files[k], off, "metadata for another stream (" + snapshot->name + ")");
        }
        if (snapshot->count != count || snapshot->total != total) {
          r.name = snapshot->name;
          have_snapshot = true;
          return damaged(k, files[k], off, "metadata that disagrees with the records before it");
        }
        if (snapshot->offset && *snapshot->offset != off) {
          return damaged(k, files[k], off,
                         "metadata written for another place in the file" + at(*snapshot->offset));
        }
        if (!have_snapshot) {
          r.base = snapshot->meta.fork_offset;
        }
        have_snapshot = true;
        r.name = std::move(snapshot->name);
        r.meta = std::move(snapshot->meta);
        committed_count = count;
        committed_total = total;
        snapshot_end = off + codec::k_frame_header + header.length;
        commit_segment = k;
        commit_offset = snapshot_end;
      }
      off += codec::k_frame_header + header.length;
    }
    if (!last) {
      // A sealed segment was synced whole before the next one was made: nothing in it is torn.
      if (!problem.empty()) {
        return damaged(k, files[k], off, problem);
      }
      if (snapshot_end != size) {
        return damaged(k, files[k], snapshot_end,
                       "records without metadata at the end of a sealed segment");
      }
      sizes.push_back(size);
      continue;
    }
    if (!problem.empty()) {
      const auto commit = find_commit(reader, off + 1, size, have_snapshot ? r.name : "");
      if (commit) {
        if (!have_snapshot) {
          r.name = commit->second;
          have_snapshot = true;
        }
        return damaged(k, files[k], off, problem + " before the commit" + at(commit->first));
      }
      if (whole) {
        return damaged(k, files[k], off, problem + " in the last commit");
      }
    }
    // The last segment: keep what the last snapshot committed; what follows it is torn.
    r.entries.resize(committed_count);
    r.total = committed_total;
    if (snapshot_end == 0) {
      if (k == 0) {
        scan.kind = Scan::Kind::uncommitted;
        return scan;
      }
      if (::unlinkat(dir_fd, rel.c_str(), 0) != 0) {
        const int saved = errno;
        fail("cannot delete " + path, path, saved);
      }
      r.segments.pop_back();
      r.last_size = sizes.back();
    } else {
      if (snapshot_end < size) {
        if (::ftruncate(fd.get(), static_cast<off_t>(snapshot_end)) != 0) {
          const int saved = errno;
          fail("cannot truncate " + path, path, saved);
        }
        if (::fdatasync(fd.get()) != 0) {
          const int saved = errno;
          fail("cannot sync " + path, path, saved);
        }
      }
      r.last_size = snapshot_end;
    }
  }
  r.meta.tail = r.base + r.total;
  scan.kind = Scan::Kind::intact;
  return scan;
}

/// The stream name a directory name encodes; "" when the encoding was cut (and hashed).
std::string name_of_directory(const std::string& dirname)
{
  std::string_view encoded = std::string_view(dirname).substr(2);
  if (const auto tilde = encoded.find('~'); tilde != std::string_view::npos) {
    const std::string_view after = encoded.substr(tilde + 1);
    const bool hashed = after.size() >= 16 && after.substr(0, 16).find_first_not_of(
                                                 "0123456789abcdef") == std::string_view::npos;
    if (hashed) {
      return ""; // the encoding was cut: the name is not all there
    }
    encoded = encoded.substr(0, tilde); // a suffix that made the directory name unique
  }
  const auto hex = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  };
  std::string name;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size() && hex(encoded[i + 1]) >= 0 &&
        hex(encoded[i + 2]) >= 0) {
      name.push_back(static_cast<char>(hex(encoded[i + 1]) * 16 + hex(encoded[i + 2])));
      i += 2;
    } else {
      name.push_back(encoded[i]);
    }
  }
  return name;
}

/// Whether DIR holds a copy a repair kept.
bool holds_kept_copies(const fs::path& dir)
{
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().find(".damaged-") != std::string::npos) {
      return true;
    }
  }
  return false;
}

} // namespace

void DiskStore::recover_stream(const std::string& dirname, bool repair)
{
  const std::string dir_path = m_directory + "/" + dirname;
  std::map<std::uint64_t, std::map<std::uint64_t, std::string>> gens;
  std::error_code ec;
  for (fs::directory_iterator it(dir_path, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (const auto parsed = parse_segment_name(file)) {
      gens[parsed->first][parsed->second] = file;
      m_next_gen = std::max(m_next_gen, parsed->first + 1);
    }
  }
  if (ec) {
    throw util::Error(util::Errc::runtime, "cannot list " + dir_path + ": " + ec.message(),
                      dir_path);
  }

  std::optional<Recovered> winner;
  std::uint64_t winner_gen = 0;
  bool changed = false;
  for (auto it = gens.rbegin(); it != gens.rend(); ++it) {
    std::vector<std::string> files;
    std::optional<std::size_t> missing;
    for (const auto& [seq, file] : it->second) {
      if (seq != files.size() && !missing) {
        missing = files.size();
      }
      files.push_back(file);
    }
    if (!winner) {
      Scan scan = scan_generation(m_dir_fd, m_directory, dirname, files, missing);
      if (scan.kind == Scan::Kind::intact) {
        winner = std::move(scan.recovered);
        winner_gen = it->first;
        changed = changed || winner->segments.size() < files.size();
        continue;
      }
      if (scan.kind == Scan::Kind::damaged) {
        // Nothing of the stream's directory is touched, older generations included: which of
        // them holds the stream is not known.
        if (changed) {
          sync_directory(dirname);
        }
        Damaged& d = scan.damaged;
        Damage damage;
        damage.stream = d.name.empty() ? name_of_directory(dirname) : d.name;
        damage.file = dir_path + "/" + d.file;
        damage.offset = d.offset;
        damage.what = d.what;
        if (repair) {
          cut_back(dirname, files, d.commit_segment, d.commit_offset, damage);
          m_damage.push_back(std::move(damage));
          recover_stream(dirname, false);
          return;
        }
        note_damage(std::move(damage), dirname);
        return;
      }
    }
    // An uncommitted newer generation, or an older one (perhaps half deleted already) that a
    // later create replaced.
    for (const auto& file : files) {
      const std::string rel = dirname + "/" + file;
      if (::unlinkat(m_dir_fd, rel.c_str(), 0) != 0 && errno != ENOENT) {
        const int saved = errno;
        fail("cannot delete " + m_directory + "/" + rel, m_directory + "/" + rel, saved);
      }
      changed = true;
    }
  }
  if (!winner) {
    if (holds_kept_copies(dir_path)) {
      if (changed) {
        sync_directory(dirname);
      }
      return; // what a repair kept stays, and the directory with it
    }
    fs::remove_all(dir_path, ec);
    if (ec) {
      throw util::Error(util::Errc::runtime, "cannot delete " + dir_path + ": " + ec.message(),
                        dir_path);
    }
    return;
  }
  if (changed) {
    sync_directory(dirname);
  }
  if (const auto other = m_files.find(winner->name);
      other != m_files.end() || m_damaged_names.contains(winner->name)) {
    // Which of them is the stream is not known: neither is served.
    std::string first = other != m_files.end() ? other->second->dirname : std::string();
    if (other != m_files.end()) {
      m_files.erase(other);
      m_views.erase(winner->name);
    }
    Damage damage;
    damage.stream = winner->name;
    damage.file = dir_path;
    damage.what = first.empty() ? "a second directory holds a damaged stream"
                                : "two directories hold the stream: " + first + " and " + dirname;
    note_damage(std::move(damage), dirname);
    return;
  }

  auto files = std::make_shared<Files>();
  files->dirname = dirname;
  files->gen = winner_gen;
  for (const auto& segment : winner->segments) {
    files->segments.push_back(segment.file);
  }
  files->size = winner->last_size;
  files->count = winner->entries.size();
  files->total = winner->total;
  files->base = winner->base;
  files->meta = winner->meta;

  auto view = std::make_shared<View>();
  view->dirname = dirname;
  view->base = winner->base;
  view->segments = std::move(winner->segments);
  view->entries = std::move(winner->entries);
  view->total = winner->total;
  view->meta = std::move(winner->meta);

  m_dirs[dirname] = winner->name;
  m_files[winner->name] = std::move(files);
  m_views[winner->name] = std::move(view);
}

void DiskStore::note_damage(Damage damage, const std::string& dirname)
{
  m_dirs[dirname] = damage.stream; // never given to another stream
  if (!damage.stream.empty()) {
    m_damaged_names.insert(damage.stream);
  }
  m_damage.push_back(std::move(damage));
}

namespace {

/// A name for a copy of REL (under DIR_FD) kept from byte AT on that no file has yet.
std::string kept_name(int dir_fd, const std::string& rel, std::uint64_t at)
{
  const std::string base = rel + ".damaged-" + std::to_string(at);
  for (int k = 0;; ++k) {
    std::string candidate = k == 0 ? base : base + "." + std::to_string(k);
    struct stat st = {};
    if (::fstatat(dir_fd, candidate.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT) {
      return candidate;
    }
  }
}

} // namespace

void DiskStore::cut_back(const std::string& dirname, const std::vector<std::string>& files,
                         std::optional<std::size_t> commit_segment, std::uint64_t commit_offset,
                         Damage& damage)
{
  // Later files first, so that a repair cut short leaves the damage for the next one to find.
  const std::size_t first_whole = commit_segment ? *commit_segment + 1 : 0;
  damage.repaired = true;
  for (std::size_t k = files.size(); k-- > first_whole;) {
    const std::string rel = dirname + "/" + files[k];
    const std::string kept = kept_name(m_dir_fd, rel, 0);
    if (::renameat(m_dir_fd, rel.c_str(), m_dir_fd, kept.c_str()) != 0) {
      const int saved = errno;
      fail("cannot rename " + m_directory + "/" + rel, m_directory + "/" + rel, saved);
    }
    damage.kept.insert(damage.kept.begin(), m_directory + "/" + kept);
    damage.cut_file = m_directory + "/" + rel;
    damage.cut_at = 0;
  }
  sync_directory(dirname);
  if (!commit_segment) {
    return;
  }
  const std::string rel = dirname + "/" + files[*commit_segment];
  const std::string path = m_directory + "/" + rel;
  const std::uint64_t at = commit_offset;
  const Fd fd(::openat(m_dir_fd, rel.c_str(), O_RDWR | O_CLOEXEC));
  struct stat st = {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {
    const int saved = errno;
    fail("cannot open " + path, path, saved);
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size <= at) {
    return;
  }
  // The copy is durable before the original is cut.
  const std::string kept = kept_name(m_dir_fd, rel, at);
  const std::string kept_path = m_directory + "/" + kept;
  const Fd out(::openat(m_dir_fd, kept.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (out.get() < 0) {
    const int saved = errno;
    fail("cannot create " + kept_path, kept_path, saved);
  }
  std::vector<char> buffer(k_read_buffer);
  for (std::uint64_t from = at; from < size;) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - from));
    const std::size_t got = pread_full(fd.get(), buffer.data(), want, from, path);
    if (got != want) {
      shorter(path);
    }
    for (std::size_t done = 0; done < got;) {
      const ssize_t wrote = ::write(out.get(), buffer.data() + done, got - done);
      if (wrote < 0 && errno == EINTR) {
        continue;
      }
      if (wrote < 0) {
        const int saved = errno;
        fail("cannot write " + kept_path, kept_path, saved);
      }
      done += static_cast<std::size_t>(wrote);
    }
    from += got;
  }
  if (::fsync(out.get()) != 0) {
    const int saved = errno;
    fail("cannot sync " + kept_path, kept_path, saved);
  }
  sync_directory(dirname);
  if (::ftruncate(fd.get(), static_cast<off_t>(at)) != 0 || ::fdatasync(fd.get()) != 0) {
    const int saved = errno;
    fail("cannot cut " + path, path, saved);
  }
  damage.kept.insert(damage.kept.begin(), kept_path);
  damage.cut_file = path;
  damage.cut_at = at;
}

void DiskStore::sync_directory(const std::string& path)
{
  const Fd fd(::openat(m_dir_fd, path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int saved = errno;
    fail("cannot open " + m_directory + "/" + path, m_directory + "/" + path, saved);
  }
  if (::fsync(fd.get()) != 0) {
    const int saved = errno;
    fail("cannot sync " + m_directory + "/" + path, m_directory + "/" + path, saved);
  }
  m_dir_syncs.fetch_add(1, std::memory_order_relaxed);
}

// --- the public interface -------------------------------------------------------------------

std::vector<std::pair<std::string, StreamMeta>> DiskStore::load()
{
  const std::lock_guard lock(m_view_mutex);
  std::vector<std::pair<std::string, StreamMeta>> out;
  out.reserve(m_views.size());
  for (const auto& [name, view] : m_views) {
    out.emplace_back(name, view->meta);
  }
  return out;
}

std::vector<Damage> DiskStore::damage() const
{
  return m_damage; // set before the writer starts, and never changed after
}

void DiskStore::create(const std::string& name, const StreamMeta& meta,
                       std::vector<std::string> records, Done done)
{
  enqueue(Op{Op::Kind::create, name, meta, std::move(records), std::move(done)});
}

void DiskStore::append(const std::string& name, const StreamMeta& meta,
                       std::vector<std::string> records, Done done)
{
  enqueue(Op{Op::Kind::append, name, meta, std::move(records), std::move(done)});
}

void DiskStore::remove(const std::string& name, Done done)
{
  enqueue(Op{Op::Kind::remove, name, StreamMeta{}, {}, std::move(done)});
}

std::vector<Record> DiskStore::read(const std::string& name, std::uint64_t from,
                                    std::size_t max_bytes)
{
  std::vector<Record> out;
  read_each(name, from, max_bytes, [&out](std::uint64_t position, std::string_view bytes) {
    out.push_back(Record{position, std::string(bytes)});
  });
  return out;
}

void DiskStore::read_each(const std::string& name, std::uint64_t from, std::size_t max_bytes,
                          const Visitor& each)
{
  struct Piece {
    std::size_t segment = 0;
    std::uint64_t position = 0;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
  };
  for (int attempt = 0;; ++attempt) {
    std::shared_ptr<View> view;
    std::vector<Piece> pieces;
    std::vector<std::string> paths;
    {
      const std::lock_guard lock(m_view_mutex);
      const auto found = m_views.find(name);
      if (found == m_views.end()) {
        return;
      }
      view = found->second;
      const auto& entries = view->entries;
      const std::uint64_t relative = from < view->base ? 0 : from - view->base;
      if (entries.empty() || relative >= view->total) {
        return;
      }
      // The first record that ends after RELATIVE: the one before the first that starts after.
      const auto by_position = [](std::uint64_t value, const Entry& e) { return value < e.pos; };
      auto next = std::upper_bound(entries.begin(), entries.end(), relative, by_position);
      std::size_t i = static_cast<std::size_t>(next - entries.begin());
      i = i == 0 ? 0 : i - 1;
      const auto end_of = [&](std::size_t k) {
        return k + 1 < entries.size() ? entries[k + 1].pos : view->total;
      };
      while (i < entries.size() && end_of(i) <= relative) {
        ++i; // empty records at RELATIVE do not end after it
      }
      if (i == entries.size()) {
        return;
      }
      auto segment = std::upper_bound(view->segments.begin(), view->segments.end(), i,
                                      [](std::size_t value, const SegmentStart& s) {
                                        return value < s.first_record;
                                      });
      std::size_t seg = static_cast<std::size_t>(segment - view->segments.begin()) - 1;
      std::uint64_t bytes = 0;
      for (; i < entries.size(); ++i) {
        const std::uint64_t size = end_of(i) - entries[i].pos;
        while (seg + 1 < view->segments.size() && view->segments[seg + 1].first_record <= i) {
          ++seg;
        }
        pieces.push_back(Piece{seg, view->base + entries[i].pos, entries[i].off, size});
        bytes += size;
        if (bytes >= max_bytes) {
          break;
        }
      }
      for (std::size_t k = pieces.front().segment; k <= pieces.back().segment; ++k) {
        paths.push_back(view->dirname + "/" + view->segments[k].file);
      }
    }

    // Every piece is read before any is visited: a retry after a segment vanished must not
    // visit one twice. A visited piece is a view into the buffer of its run.
    std::vector<std::string> buffers;
    std::vector<std::pair<std::size_t, std::size_t>> views(pieces.size()); // buffer, offset
    bool vanished = false;
    for (std::size_t first = 0; first < pieces.size() && !vanished;) {
      // The run of pieces in one segment, read with one pread if little lies between them.
      std::size_t last = first;
      std::uint64_t payload = pieces[first].size;
      while (last + 1 < pieces.size() && pieces[last + 1].segment == pieces[first].segment) {
        ++last;
        payload += pieces[last].size;
      }
      const std::string& rel = paths[pieces[first].segment - pieces.front().segment];
      const std::string path = m_directory + "/" + rel;
      const Fd fd(::openat(m_dir_fd, rel.c_str(), O_RDONLY | O_CLOEXEC));
      if (fd.get() < 0) {
        if (errno == ENOENT) {
          vanished = true;
          break;
        }
        const int saved = errno;
        fail("cannot open " + path, path, saved);
      }
      const std::uint64_t span_start = pieces[first].offset;
      const std::uint64_t span = pieces[last].offset + pieces[last].size - span_start;
      if (span <= 2 * payload + 65536) {
        std::string& buffer = buffers.emplace_back(span, '\0');
        if (pread_full(fd.get(), buffer.data(), span, span_start, path) != span) {
          shorter(path);
        }
        for (std::size_t k = first; k <= last; ++k) {
          views[k] = {buffers.size() - 1, pieces[k].offset - span_start};
        }
      } else {
        for (std::size_t k = first; k <= last; ++k) {
          std::string& buffer = buffers.emplace_back(pieces[k].size, '\0');
          if (pread_full(fd.get(), buffer.data(), pieces[k].size, pieces[k].offset, path) !=
              pieces[k].size) {
            shorter(path);
          }
          views[k] = {buffers.size() - 1, 0};
        }
      }
      first = last + 1;
    }
    if (!vanished) {
      for (std::size_t k = 0; k < pieces.size(); ++k) {
        each(pieces[k].position, std::string_view(buffers[views[k].first])
                                   .substr(views[k].second, pieces[k].size));
      }
      return;
    }
    // A segment was deleted under us: the stream was removed or replaced since we looked.
    {
      const std::lock_guard lock(m_view_mutex);
      const auto found = m_views.find(name);
      if (found == m_views.end()) {
        return;
      }
      if (found->second == view || attempt >= 8) {
        const std::string path = m_directory + "/" + view->dirname;
        throw util::Error(util::Errc::runtime,
                          "cannot read stream " + name + ": a segment is missing", path);
      }
    }
  }
}

DiskStoreStats DiskStore::stats() const
{
  DiskStoreStats s;
  s.batches = m_batches.load();
  s.ops = m_ops.load();
  s.file_syncs = m_file_syncs.load();
  s.dir_syncs = m_dir_syncs.load();
  return s;
}

void DiskStore::inject_write_error(int error_number)
{
  m_fail_write.store(error_number);
}

void DiskStore::inject_sync_error(int error_number)
{
  m_fail_sync.store(error_number);
}

void DiskStore::hold_writer(bool held)
{
  {
    const std::lock_guard lock(m_queue_mutex);
    m_held = held;
  }
  m_queue_ready.notify_all();
}

// --- the writer -----------------------------------------------------------------------------

void DiskStore::enqueue(Op op)
{
  {
    const std::lock_guard lock(m_queue_mutex);
    m_queue.push_back(std::move(op));
  }
  m_queue_ready.notify_one();
}

void DiskStore::writer_main()
{
  for (;;) {
    std::deque<Op> ops;
    {
      std::unique_lock lock(m_queue_mutex);
      m_queue_ready.wait(lock,
                         [this]() { return m_stopping || (!m_held && !m_queue.empty()); });
      if (m_queue.empty()) {
        return;
      }
      ops.swap(m_queue);
    }
    run_batch(ops);
  }
}

void DiskStore::run_batch(std::deque<Op>& ops)
{
  m_batches.fetch_add(1, std::memory_order_relaxed);
  m_ops.fetch_add(ops.size(), std::memory_order_relaxed);
  Batch batch;
  batch.errors.resize(ops.size());
  bool committed = false;
  if (!m_broken.empty()) {
    for (auto& e : batch.errors) {
      e = error(m_broken, m_directory);
    }
  } else {
    try {
      for (std::size_t i = 0; i < ops.size(); ++i) {
        try {
          apply(ops[i], batch);
        } catch (const Refused& refused) {
          batch.errors[i] = error(refused.what());
        }
      }
      commit(batch);
      committed = true;
    } catch (...) {
      auto failure = std::current_exception();
      try {
        throw;
      } catch (const util::Error&) { // NOLINT(bugprone-empty-catch): passed on as it is
      } catch (const std::exception& e) {
        failure = error(std::string("cannot write to the data directory: ") + e.what(),
                        m_directory);
      } catch (...) {
        failure = error("cannot write to the data directory", m_directory);
      }
      roll_back(batch);
      for (auto& op_error : batch.errors) {
        if (!op_error) {
          op_error = failure;
        }
      }
    }
  }
  if (committed) {
    publish(batch);
  }
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].done) {
      try {
        ops[i].done(batch.errors[i]);
      } catch (...) { // NOLINT(bugprone-empty-catch): Done must not throw; see the header
      }
    }
  }
  if (committed) {
    for (const auto& path : batch.unlink_after) {
      ::unlinkat(m_dir_fd, path.c_str(), 0);
    }
    for (const auto& tombstone : batch.tombstones_after) {
      std::error_code ec;
      fs::remove_all(fs::path(m_directory) / tombstone, ec);
    }
  }
}

void DiskStore::touch(const std::string& name, Batch& batch)
{
  if (batch.before.contains(name)) {
    return;
  }
  const auto found = m_files.find(name);
  batch.before[name] = found == m_files.end() ? nullptr : std::make_shared<Files>(*found->second);
  batch.touched.push_back(name);
}

void DiskStore::apply(Op& op, Batch& batch)
{
  switch (op.kind) {
  case Op::Kind::create:
    apply_create(op, batch);
    break;
  case Op::Kind::append:
    apply_append(op, batch);
    break;
  case Op::Kind::remove:
    apply_remove(op, batch);
    break;
  }
}

void DiskStore::create_segment(const std::string& rel, Batch& batch)
{
  const int fd = ::openat(m_dir_fd, rel.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int saved = errno;
    fail("cannot create " + m_directory + "/" + rel, m_directory + "/" + rel, saved);
  }
  ::close(fd);
  batch.undo.emplace_back([this, rel]() { return ::unlinkat(m_dir_fd, rel.c_str(), 0) == 0; });
}

void DiskStore::apply_create(Op& op, Batch& batch)
{
  if (too_big(op.records)) {
    throw Refused("a record of " + op.name + " is 4 GiB or more");
  }
  if (m_damaged_names.contains(op.name)) {
    throw Refused("the stream " + op.name + " is damaged on disk");
  }
  touch(op.name, batch);
  auto files = std::make_shared<Files>();
  const auto old = m_files.find(op.name);
  if (old != m_files.end()) {
    files->dirname = old->second->dirname;
    for (const auto& segment : old->second->segments) {
      batch.unlink_after.push_back(files->dirname + "/" + segment);
    }
  } else {
    const std::string base = directory_name(op.name);
    for (std::uint64_t k = 0;; ++k) {
      std::string candidate = k == 0 ? base : base + "~" + std::to_string(k);
      if (m_dirs.contains(candidate)) {
        continue;
      }
      if (::mkdirat(m_dir_fd, candidate.c_str(), 0755) == 0) {
        files->dirname = std::move(candidate);
        break;
      }
      if (errno != EEXIST) {
        const int saved = errno;
        const std::string path = m_directory + "/" + candidate;
        fail("cannot create " + path, path, saved);
      }
    }
    const std::string dirname = files->dirname;
    batch.undo.emplace_back(
      [this, dirname]() { return ::unlinkat(m_dir_fd, dirname.c_str(), AT_REMOVEDIR) == 0; });
    batch.root_dirty = true;
    m_dirs[files->dirname] = op.name;
  }
  files->gen = m_next_gen++;
  const std::string segment = segment_name(files->gen, 0);
  create_segment(files->dirname + "/" + segment, batch);
  files->segments = {segment};
  files->new_segments = {SegmentStart{segment, 0}};
  files->dir_dirty = true;
  files->fresh = true;
  files->base = op.meta.fork_offset;
  files->add(op.records);
  files->meta = op.meta;
  files->meta_dirty = true;
  m_files[op.name] = std::move(files);
}

void DiskStore::apply_append(Op& op, Batch& batch)
{
  const auto found = m_files.find(op.name);
  if (found == m_files.end()) {
    throw Refused("no such stream: " + op.name);
  }
  if (too_big(op.records)) {
    throw Refused("a record of " + op.name + " is 4 GiB or more");
  }
  touch(op.name, batch);
  Files& files = *found->second;
  if (files.size >= m_options.segment_bytes && files.pending.empty() &&
      files.new_segments.empty()) {
    // Roll over before this batch writes to the last segment, which an earlier batch synced:
    // so a segment is never created while the one before it may still be torn.
    const std::string segment = segment_name(files.gen, files.segments.size());
    create_segment(files.dirname + "/" + segment, batch);
    files.segments.push_back(segment);
    files.new_segments.push_back(SegmentStart{segment, files.count});
    files.size = 0;
    files.dir_dirty = true;
  }
  files.add(op.records);
  files.meta = op.meta;
  files.meta_dirty = true;
}

void DiskStore::apply_remove(Op& op, Batch& batch)
{
  const auto found = m_files.find(op.name);
  if (found == m_files.end()) {
    return;
  }
  touch(op.name, batch);
  const std::string dirname = found->second->dirname;
  const std::string tombstone = allocate_tombstone();
  if (::renameat(m_dir_fd, dirname.c_str(), m_dir_fd, tombstone.c_str()) != 0) {
    const int saved = errno;
    fail("cannot rename " + m_directory + "/" + dirname, m_directory + "/" + dirname, saved);
  }
  batch.undo.emplace_back([this, dirname, tombstone]() {
    return ::renameat(m_dir_fd, tombstone.c_str(), m_dir_fd, dirname.c_str()) == 0;
  });
  batch.root_dirty = true;
  batch.tombstones_after.push_back(tombstone);
  m_dirs.erase(dirname);
  m_files.erase(found);
}

std::string DiskStore::allocate_tombstone()
{
  for (;;) {
    std::string candidate = "t_" + std::to_string(m_next_tombstone++);
    struct stat st = {};
    if (::fstatat(m_dir_fd, candidate.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT) {
      return candidate;
    }
  }
}

void DiskStore::commit(Batch& batch)
{
  // Each touched stream's frames and closing snapshot go to its last segment, and every file
  // written is synced once. Files are opened a group at a time, so that a batch touching
  // thousands of streams does not need thousands of descriptors.
  std::vector<std::pair<std::string, Files*>> dirty;
  for (const auto& name : batch.touched) {
    const auto found = m_files.find(name);
    if (found != m_files.end() && found->second->meta_dirty) {
      dirty.emplace_back(name, found->second.get());
    }
  }
  for (std::size_t first = 0; first < dirty.size(); first += k_open_files) {
    const std::size_t last = std::min(dirty.size(), first + k_open_files);
    std::vector<std::pair<std::unique_ptr<Fd>, std::string>> open;
    for (std::size_t k = first; k < last; ++k) {
      Files& files = *dirty[k].second;
      // The snapshot records where it is, so that recovery can find it past damage.
      const codec::Snapshot snapshot{dirty[k].first, files.count, files.total,
                                     files.size + files.pending.size(), files.meta};
      codec::append_frame(files.pending, codec::FrameType::meta, codec::encode_snapshot(snapshot));
      const std::string rel = files.dirname + "/" + files.segments.back();
      const std::string path = m_directory + "/" + rel;
      auto fd = std::make_unique<Fd>(::openat(m_dir_fd, rel.c_str(), O_WRONLY | O_CLOEXEC));
      if (fd->get() < 0) {
        const int saved = errno;
        fail("cannot open " + path, path, saved);
      }
      // Undone by path: the undos of the renames before it run after this one.
      const std::uint64_t start = files.size;
      batch.undo.emplace_back([this, rel, start]() {
        const Fd undo(::openat(m_dir_fd, rel.c_str(), O_WRONLY | O_CLOEXEC));
        return undo.get() >= 0 && ::ftruncate(undo.get(), static_cast<off_t>(start)) == 0 &&
               ::fdatasync(undo.get()) == 0;
      });
      const char* data = files.pending.data();
      std::size_t left = files.pending.size();
      std::uint64_t offset = start;
      if (const int injected = m_fail_write.exchange(0); injected != 0) {
        [[maybe_unused]] const auto written =
          ::pwrite(fd->get(), data, left / 2, static_cast<off_t>(offset));
        fail("cannot write " + path, path, injected);
      }
      while (left > 0) {
        const ssize_t wrote = ::pwrite(fd->get(), data, left, static_cast<off_t>(offset));
        if (wrote < 0) {
          if (errno == EINTR) {
            continue;
          }
          const int saved = errno;
          fail("cannot write " + path, path, saved);
        }
        data += wrote;
        left -= static_cast<std::size_t>(wrote);
        offset += static_cast<std::uint64_t>(wrote);
      }
      files.size += files.pending.size();
      std::string().swap(files.pending);
      open.emplace_back(std::move(fd), path);
    }
    for (const auto& [fd, path] : open) {
      m_file_syncs.fetch_add(1, std::memory_order_relaxed);
      if (const int injected = m_fail_sync.exchange(0); injected != 0) {
        fail("cannot sync " + path, path, injected);
      }
      if (::fdatasync(fd->get()) != 0) {
        const int saved = errno;
        fail("cannot sync " + path, path, saved);
      }
    }
  }
  for (const auto& name : batch.touched) {
    const auto found = m_files.find(name);
    if (found != m_files.end() && found->second->dir_dirty) {
      sync_directory(found->second->dirname);
    }
  }
  if (batch.root_dirty) {
    m_dir_syncs.fetch_add(1, std::memory_order_relaxed);
    if (::fsync(m_dir_fd) != 0) {
      const int saved = errno;
      fail("cannot sync " + m_directory, m_directory, saved);
    }
  }
}

void DiskStore::roll_back(Batch& batch)
{
  bool clean = true;
  for (auto it = batch.undo.rbegin(); it != batch.undo.rend(); ++it) {
    clean = (*it)() && clean;
  }
  // Make the undo durable too, so that a crash cannot bring back what failed (the truncations
  // synced themselves).
  for (const auto& [name, files] : batch.before) {
    if (files) {
      const Fd fd(::openat(m_dir_fd, files->dirname.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      clean = fd.get() >= 0 && ::fsync(fd.get()) == 0 && clean;
    }
  }
  clean = ::fsync(m_dir_fd) == 0 && clean;

  // The writer's state as it was before the batch.
  for (const auto& name : batch.touched) {
    if (const auto found = m_files.find(name); found != m_files.end()) {
      m_dirs.erase(found->second->dirname);
      m_files.erase(found);
    }
  }
  for (const auto& [name, files] : batch.before) {
    if (files) {
      m_dirs[files->dirname] = name;
      m_files[name] = files;
    }
  }
  if (!clean) {
    m_broken = "the data directory " + m_directory +
               " could not be restored after a failed write; restart the server";
  }
}

void DiskStore::publish(Batch& batch)
{
  const std::lock_guard lock(m_view_mutex);
  for (const auto& name : batch.touched) {
    const auto found = m_files.find(name);
    if (found == m_files.end()) {
      m_views.erase(name);
      continue;
    }
    Files& files = *found->second;
    auto& view = m_views[name];
    if (files.fresh || !view) {
      view = std::make_shared<View>();
      view->dirname = files.dirname;
      view->base = files.base;
    }
    view->segments.insert(view->segments.end(), files.new_segments.begin(),
                          files.new_segments.end());
    view->entries.insert(view->entries.end(), files.new_entries.begin(), files.new_entries.end());
    view->total = files.total;
    view->meta = files.meta;
    view->meta.tail = files.base + files.total;
    files.fresh = false;
    files.meta_dirty = false;
    files.dir_dirty = false;
    files.new_entries.clear();
    files.new_segments.clear();
  }
}

} // namespace store
