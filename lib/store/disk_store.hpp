#pragma once
// A Store on the local disk: per stream an append-only log of CRC-framed records and metadata
// snapshots, written by one thread that group-commits everything queued with one fdatasync
// per touched file.
//
// Layout of the data directory DIR:
//   DIR/lock                     flock()ed for as long as the store is open
//   DIR/s_<encoded name>/        one directory per stream; the encoding keeps [A-Za-z0-9._-] and
//                                writes every other byte as %XX, so no name can leave DIR; an
//                                encoding longer than 200 bytes is cut and ends in ~<hash>
//   DIR/s_.../<gen>-<seq>.log    the stream's log segments: GEN (16 hex digits, unique in the
//                                store) counts creates, SEQ (8 hex digits) the segments of one
//   DIR/t_<n>/                   a removed stream's directory (tombstone), deleted after the
//                                removal is durable, and at the next open if that was cut short
//
// A segment is a sequence of frames (log_codec.hpp): [u32 length][u32 crc32c][u8 type]
// [payload], little-endian, the CRC over length, type and payload. Type 1 is one data record;
// type 2 a metadata snapshot (its own offset in the segment, the stream name, the generation's
// record count and byte total, and the StreamMeta). What a group commit writes to a stream
// ends with one snapshot (the last op's metadata), so the records of an append and the
// metadata that accepted them become durable together: the end of each snapshot is a commit
// point. An append never spans segments; a segment is rolled only once it has been synced.
//
// Recovery (in the constructor): per stream the newest generation with a complete snapshot
// wins and older ones are deleted, so a create that replaced a stream leaves after a crash
// either the old stream or the new one (and a create after remove either nothing or the new
// one). Only the last segment can have a torn tail, and only after its last intact commit
// point: frames that are a prefix of what a write would have left, with no intact snapshot
// after them and no whole frame that only its contents make bad. A torn tail is cut. Anything
// else wrong (a bad frame before a commit point or in a sealed segment, unreadable metadata,
// metadata that disagrees with the records before it, a missing segment, two directories
// claiming one stream) is damage: the stream is reported (damage()) and refused, its files
// are left as they are, and every other stream is served; with DiskStoreOptions::repair the
// stream is instead cut back to its last intact commit point, what is cut kept in copies.
// The meta's tail is set from the records present (fork_offset plus their sizes).

#include "store/store.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace store {

struct DiskStoreOptions {
  /// A segment this big or bigger is closed and the next write starts a new one.
  std::uint64_t segment_bytes = std::uint64_t{64} << 20;
  /// Cut a damaged stream back to its last intact commit point at open, keeping what is cut
  /// in copies next to it (FILE.damaged-OFFSET), instead of refusing the stream.
  bool repair = false;
};

/// Counters for tests and diagnostics.
struct DiskStoreStats {
  std::uint64_t batches = 0;    ///< group commits (successful or not)
  std::uint64_t ops = 0;        ///< creates, appends and removes handled
  std::uint64_t file_syncs = 0; ///< fdatasync calls on segment files
  std::uint64_t dir_syncs = 0;  ///< fsync calls on directories
};

/// The on-disk Store. create/append/remove only queue the change and return at once; one
/// writer thread does the I/O and calls the Dones there, in the order the changes were made
/// (Done must not throw; what it throws is dropped). An I/O error fails every change of its
/// batch and undoes what the batch wrote; if even the undo fails, every later change fails
/// too (restart to recover). Unlike MemoryStore, an append to a stream that does not exist
/// fails ("no such stream"). A stream's fork_offset is the one it was created with.
/// read() and load() may be called from any thread, also while changes are in flight, and see
/// durable changes only; read() opens and preads segment files (usually in the page cache).
class DiskStore : public Store {
public:
  /// Opens (creating it if need be) the data directory DIRECTORY and recovers every stream in
  /// it. Throws util::Error(runtime) if the directory cannot be created or locked (another
  /// process holds it), or on an I/O error; damage is reported by damage(), not thrown.
  explicit DiskStore(std::string directory, DiskStoreOptions options = {});
  /// Finishes every queued change (calling its Done), then stops the writer thread.
  ~DiskStore() override;

  DiskStore(const DiskStore&) = delete;
  DiskStore& operator=(const DiskStore&) = delete;

  std::vector<std::pair<std::string, StreamMeta>> load() override;
  /// One report per damaged stream found at open (and, with DiskStoreOptions::repair, what
  /// was cut). A damaged stream is not in load(), has no records, and cannot be created.
  std::vector<Damage> damage() const override;
  void create(const std::string& name, const StreamMeta& meta, std::vector<std::string> records,
              Done done) override;
  void append(const std::string& name, const StreamMeta& meta, std::vector<std::string> records,
              Done done) override;
  void remove(const std::string& name, Done done) override;
  /// Records are collected until MAX_BYTES is reached (so the last may pass it), as in
  /// MemoryStore. An unknown NAME has no records (an empty result, no error).
  std::vector<Record> read(const std::string& name, std::uint64_t from,
                           std::size_t max_bytes) override;
  /// As read(), visiting the records in the buffers they were read into.
  void read_each(const std::string& name, std::uint64_t from, std::size_t max_bytes,
                 const Visitor& each) override;

  DiskStoreStats stats() const;

  /// Test hooks: the next segment write writes half its bytes and then fails with ERROR_NUMBER
  /// (an errno value); the next fdatasync of a segment fails with it.
  void inject_write_error(int error_number);
  void inject_sync_error(int error_number);
  /// Test hook: while held, the writer starts no batch, so changes queue up and the next
  /// batch takes them all (the destructor still finishes them).
  void hold_writer(bool held);

  /// The directory name (under the data directory) a stream NAME gets unless another name
  /// already has it.
  static std::string directory_name(std::string_view name);

private:
  struct Op {
    enum class Kind { create, append, remove };
    Kind kind = Kind::append;
    std::string name;
    StreamMeta meta;
    std::vector<std::string> records;
    Done done;
  };
  struct Files;
  struct View;
  struct Batch;

  void recover();
  void recover_stream(const std::string& dirname, bool repair);
  void note_damage(Damage damage, const std::string& dirname);
  void cut_back(const std::string& dirname, const std::vector<std::string>& files,
                std::optional<std::size_t> commit_segment, std::uint64_t commit_offset,
                Damage& damage);
  void writer_main();
  void enqueue(Op op);
  void run_batch(std::deque<Op>& ops);
  void apply(Op& op, Batch& batch);
  void apply_create(Op& op, Batch& batch);
  void apply_append(Op& op, Batch& batch);
  void apply_remove(Op& op, Batch& batch);
  void commit(Batch& batch);
  void roll_back(Batch& batch);
  void publish(Batch& batch);
  void touch(const std::string& name, Batch& batch);
  void create_segment(const std::string& rel, Batch& batch);
  std::string allocate_directory(const std::string& name) const;
  std::string allocate_tombstone();
  void sync_directory(const std::string& path);

  std::string m_directory;
  DiskStoreOptions m_options;
  int m_dir_fd = -1;
  int m_lock_fd = -1;

  // Writer-thread state (and the constructor's, before the thread starts).
  std::map<std::string, std::shared_ptr<Files>> m_files; ///< live streams by name
  std::map<std::string, std::string> m_dirs;             ///< their directories, to their names
  std::uint64_t m_next_gen = 1;
  std::uint64_t m_next_tombstone = 0;
  std::string m_broken; ///< why no more changes are accepted ("" while all is well)
  std::vector<Damage> m_damage;         ///< found at open
  std::set<std::string> m_damaged_names; ///< streams refused for it

  // What readers see: durable state only, guarded by m_view_mutex.
  mutable std::mutex m_view_mutex;
  std::map<std::string, std::shared_ptr<View>> m_views;

  // The queue between callers and the writer.
  std::mutex m_queue_mutex;
  std::condition_variable m_queue_ready;
  std::deque<Op> m_queue;
  bool m_stopping = false;
  bool m_held = false;

  std::atomic<std::uint64_t> m_batches{0};
  std::atomic<std::uint64_t> m_ops{0};
  std::atomic<std::uint64_t> m_file_syncs{0};
  std::atomic<std::uint64_t> m_dir_syncs{0};
  std::atomic<int> m_fail_write{0};
  std::atomic<int> m_fail_sync{0};

  std::thread m_writer;
};

} // namespace store
