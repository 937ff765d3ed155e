// store::DiskStore: records and metadata round-trip through the log (across segment rolls and
// reopens), reads from any position (as MemoryStore reads), a torn tail cut at every byte of
// the last append, damage (a flipped byte anywhere before the last commit point, in a sealed
// segment, a missing segment) reported and left alone, and repaired on request, remove and
// re-create, group commit, mixed changes in one
// batch against a model, names that must not escape the data directory, the directory lock,
// injected I/O errors, writer processes killed mid-stream, and segment file names. Every wait
// is bounded.

#include "store/disk_store.hpp"
#include "store/log_codec.hpp"
#include "store/memory_store.hpp"
#include "store/segment_file.hpp"

#include "util/error.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using store::DiskStore;
using store::DiskStoreOptions;
using store::Record;
using store::StreamMeta;

constexpr auto k_patience = 30s; ///< how long a test waits for a Done that should come soon

/// A directory of its own under /tmp, removed at the end of the test; with IN_MEMORY under
/// /dev/shm if there is one, for tests that reopen a store hundreds of times and do not need
/// real syncs.
struct TempDir {
  fs::path path;
  explicit TempDir(bool in_memory = false)
  {
    std::error_code ec;
    const bool shm =
      in_memory && fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0;
    const fs::path parent = shm ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string pattern = (parent / "sse-disk-store-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
    }
    path = pattern;
  }
  ~TempDir()
  {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

/// Calls CALL with a Done and waits (bounded) for it; returns the error it got.
template <typename Call>
std::exception_ptr finish(Call call)
{
  auto promise = std::make_shared<std::promise<std::exception_ptr>>();
  auto future = promise->get_future();
  call([promise](std::exception_ptr error) { promise->set_value(error); });
  if (future.wait_for(k_patience) != std::future_status::ready) {
    ADD_FAILURE() << "Done was not called within " << k_patience.count() << "s";
    return std::make_exception_ptr(std::runtime_error("timeout"));
  }
  return future.get();
}

std::string message(const std::exception_ptr& error)
{
  if (!error) {
    return "(no error)";
  }
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  }
}

/// Counts Dones fired without waiting, and waits (bounded) for all of them.
class Tally {
public:
  explicit Tally(std::size_t expected) : m_expected(expected) {}

  store::Store::Done done()
  {
    return [this](std::exception_ptr error) {
      const std::lock_guard lock(m_mutex);
      ++m_count;
      if (error) {
        m_errors.push_back(message(error));
      }
      if (m_count == m_expected) {
        m_all.set_value();
      }
    };
  }
  bool wait()
  {
    return m_all_future.wait_for(k_patience) == std::future_status::ready;
  }
  std::size_t count()
  {
    const std::lock_guard lock(m_mutex);
    return m_count;
  }
  std::vector<std::string> errors()
  {
    const std::lock_guard lock(m_mutex);
    return m_errors;
  }

private:
  std::size_t m_expected;
  std::mutex m_mutex;
  std::size_t m_count = 0;
  std::vector<std::string> m_errors;
  std::promise<void> m_all;
  std::future<void> m_all_future = m_all.get_future();
};

/// A stream as the test expects it: its metadata and its records.
struct Model {
  StreamMeta meta;
  std::vector<std::string> records;

  explicit Model(std::uint64_t fork_offset = 0)
  {
    meta.content_type = "application/octet-stream";
    meta.fork_offset = fork_offset;
    meta.tail = fork_offset;
  }
  /// The metadata after adding RECORDS (the caller's job in the real server).
  StreamMeta next(const std::vector<std::string>& added) const
  {
    StreamMeta m = meta;
    for (const auto& r : added) {
      m.tail += r.size();
    }
    m.last_stream_seq = std::to_string(records.size() + added.size());
    return m;
  }
  void accept(const StreamMeta& m, const std::vector<std::string>& added)
  {
    meta = m;
    records.insert(records.end(), added.begin(), added.end());
  }
};

using Write = void (store::Store::*)(const std::string&, const StreamMeta&,
                                     std::vector<std::string>, store::Store::Done);

/// Writes RECORDS to NAME with WRITE (create or append) and MODEL's next metadata.
void write(store::Store& s, Write write, const std::string& name, Model& model,
           const std::vector<std::string>& records)
{
  const StreamMeta meta = model.next(records);
  const auto error = finish([&](auto done) { (s.*write)(name, meta, records, done); });
  ASSERT_FALSE(error) << message(error);
  model.accept(meta, records);
}

void create(store::Store& s, const std::string& name, Model& model,
            const std::vector<std::string>& records)
{
  write(s, &store::Store::create, name, model, records);
}

void append(store::Store& s, const std::string& name, Model& model,
            const std::vector<std::string>& records)
{
  write(s, &store::Store::append, name, model, records);
}

/// All of NAME's records, read MAX_BYTES at a time.
std::vector<Record> read_all(store::Store& s, const std::string& name, std::size_t max_bytes = 7)
{
  std::vector<Record> out;
  std::uint64_t from = 0;
  for (int guard = 0; guard < 1000000; ++guard) {
    auto got = s.read(name, from, max_bytes);
    if (got.empty()) {
      break;
    }
    for (auto& r : got) {
      from = r.position + r.bytes.size();
      out.push_back(std::move(r));
    }
  }
  return out;
}

/// Checks that NAME holds MODEL's records at the right positions.
void expect_records(store::Store& s, const std::string& name, const Model& model,
                    std::size_t max_bytes = 7)
{
  const auto got = read_all(s, name, max_bytes);
  ASSERT_EQ(got.size(), model.records.size()) << name;
  std::uint64_t position = model.meta.fork_offset;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].position, position) << name << " record " << i;
    EXPECT_EQ(got[i].bytes, model.records[i]) << name << " record " << i;
    position += model.records[i].size();
  }
}

std::map<std::string, StreamMeta> loaded(store::Store& s)
{
  std::map<std::string, StreamMeta> out;
  for (auto& [name, meta] : s.load()) {
    out[name] = meta;
  }
  return out;
}

/// The segment files of the only stream directory under DIR, in order.
std::vector<fs::path> segments(const fs::path& dir)
{
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with("s_")) {
      for (const auto& file : fs::directory_iterator(entry.path())) {
        if (file.path().extension() == ".log") {
          out.push_back(file.path());
        }
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string record(std::size_t i, std::size_t size)
{
  std::string out = "r" + std::to_string(i) + ":";
  while (out.size() < size) {
    out.push_back(static_cast<char>('a' + (out.size() + i) % 26));
  }
  out.resize(size);
  return out;
}

void copy_tree(const fs::path& from, const fs::path& to)
{
  std::error_code ec;
  fs::remove_all(to, ec);
  fs::copy(from, to, fs::copy_options::recursive);
}

std::string contents(const fs::path& file)
{
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void flip_byte(const fs::path& file, std::uint64_t offset)
{
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x5A));
}

// ---------------------------------------------------------------------------------------------

TEST(DiskStore, Crc32cKnownAnswer)
{
  EXPECT_EQ(store::codec::crc32c(0, "123456789", 9), 0xE3069283u);
  // Incremental equals one go.
  const std::string text = "The quick brown fox jumps over the lazy dog, twice over.";
  const auto whole = store::codec::crc32c(0, text.data(), text.size());
  const auto first = store::codec::crc32c(0, text.data(), 13);
  EXPECT_EQ(store::codec::crc32c(first, text.data() + 13, text.size() - 13), whole);
}

TEST(DiskStore, SegmentNamesRoundTrip)
{
  using store::disk::parse_segment_name;
  using store::disk::segment_name;
  EXPECT_EQ(segment_name(0x1a, 2), "000000000000001a-00000002.log");
  const auto parsed = parse_segment_name(segment_name(0xfedcba9876543210ull, 0xffffffffull));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->first, 0xfedcba9876543210ull);
  EXPECT_EQ(parsed->second, 0xffffffffull);
  for (const std::string other : {"000000000000001A-00000002.log", "000000000000001a_00000002.log",
                                  "000000000000001a-00000002.lo", "lock", ""}) {
    EXPECT_FALSE(parse_segment_name(other)) << other;
  }
}

TEST(DiskStore, RoundTripAcrossSegmentRolls)
{
  TempDir tmp;
  const fs::path dir = tmp.path / "data";
  Model model;
  {
    DiskStore s(dir.string(), DiskStoreOptions{256});
    create(s, "logs/a", model, {"first", "second"});
    for (std::size_t i = 0; i < 60; ++i) {
      append(s, "logs/a", model, {record(i, 10 + i % 40), record(i + 1000, 3)});
    }
    append(s, "logs/a", model, {}); // metadata only
    EXPECT_GT(segments(dir).size(), 5u);
    expect_records(s, "logs/a", model, 1);
    expect_records(s, "logs/a", model, 100);
    expect_records(s, "logs/a", model, 1u << 20);
    EXPECT_EQ(loaded(s).at("logs/a"), model.meta);
  }
  DiskStore s(dir.string(), DiskStoreOptions{256});
  EXPECT_EQ(loaded(s).at("logs/a"), model.meta);
  expect_records(s, "logs/a", model, 1);
  expect_records(s, "logs/a", model, 1u << 20);
  append(s, "logs/a", model, {"after reopen"});
  expect_records(s, "logs/a", model);
}

TEST(DiskStore, ReadsFromEveryPosition)
{
  TempDir tmp;
  DiskStore s((tmp.path / "data").string());
  Model model(1000); // a fork: its own records start at 1000
  create(s, "f", model, {"abc", "defgh"});
  append(s, "f", model, {"i"});
  // positions 1000 abc, 1003 defgh, 1008 i; tail 1009
  for (std::uint64_t from = 0; from <= 1010; ++from) {
    const auto one = s.read("f", from, 1);
    const auto all = s.read("f", from, 1u << 20);
    std::size_t first = from < 1003 ? 0 : from < 1008 ? 1 : from < 1009 ? 2 : 3;
    if (first == 3) {
      EXPECT_TRUE(one.empty()) << from;
      EXPECT_TRUE(all.empty()) << from;
      continue;
    }
    ASSERT_EQ(one.size(), 1u) << from;
    EXPECT_EQ(one[0].bytes, model.records[first]) << from;
    ASSERT_EQ(all.size(), 3 - first) << from;
    EXPECT_EQ(all.back().bytes, "i");
    EXPECT_EQ(all.back().position, 1008u);
  }
  // max_bytes: records are collected until it is reached (the last one may pass it).
  EXPECT_EQ(s.read("f", 0, 0).size(), 1u);
  EXPECT_EQ(s.read("f", 0, 3).size(), 1u);
  EXPECT_EQ(s.read("f", 0, 4).size(), 2u);
  EXPECT_EQ(s.read("f", 0, 8).size(), 2u);
  EXPECT_EQ(s.read("f", 0, 9).size(), 3u);
  EXPECT_TRUE(s.read("nothing", 0, 100).empty());
}

TEST(DiskStore, LoadAfterReopenKeepsAllMetadata)
{
  TempDir tmp;
  const fs::path dir = tmp.path / "data";
  std::map<std::string, Model> models;
  {
    DiskStore s(dir.string());
    Model& a = models["a"];
    a.meta.content_type = "application/json";
    a.meta.ttl_seconds = 3600;
    a.meta.expires_at = "2030-01-02T03:04:05Z";
    a.meta.expires_at_ms = -5; // anything an int64 holds
    a.meta.created_ms = 1763712345678;
    create(s, "a", a, {"[1]", "[2]"});
    a.meta.producers["writer-1"] = store::Producer{3, 17};
    a.meta.producers[std::string("bin\0\xff\x01", 6)] = store::Producer{~0ull, 0};
    a.meta.closed = true;
    a.meta.closed_by = "writer-1 3 18";
    a.meta.fork_count = 2;
    append(s, "a", a, {"[3]"});

    Model& b = models["b"];
    b = Model(3);
    b.meta.forked_from = "a";
    b.meta.soft_deleted = true;
    create(s, "b", b, {});
    Model& c = models["c"];
    create(s, "c", c, {});
  }
  DiskStore s(dir.string());
  const auto got = loaded(s);
  ASSERT_EQ(got.size(), 3u);
  for (const auto& [name, model] : models) {
    EXPECT_EQ(got.at(name), model.meta) << name;
    expect_records(s, name, model);
  }
  EXPECT_EQ(got.at("a").producers.size(), 2u);
}

/// Writes a stream, then damages the last append at each of its bytes (cut there, or flip it)
/// and checks that reopening gives exactly the appends before it. SEGMENT_BYTES small makes
/// the last append start a segment of its own.
void torn_tail(std::uint64_t segment_bytes)
{
  TempDir tmp(true);
  const fs::path pristine = tmp.path / "pristine";
  const fs::path work = tmp.path / "work";
  Model before;
  std::uint64_t start = 0;
  std::size_t segment_count = 0;
  {
    DiskStore s(pristine.string(), DiskStoreOptions{segment_bytes});
    create(s, "t", before, {"ab", "cde"});
    append(s, "t", before, {record(1, 40)});
    append(s, "t", before, {record(2, 30), record(3, 1)});
    segment_count = segments(pristine).size();
    start = fs::file_size(segments(pristine).back());
    Model last = before;
    last.meta.producers["p"] = store::Producer{1, 2};
    append(s, "t", last, {"hello", "world"});
  }
  const auto files = segments(pristine);
  const bool own_segment = files.size() > segment_count;
  if (own_segment) {
    start = 0;
  }
  const std::string name = files.back().filename().string();
  const auto end = fs::file_size(files.back());
  ASSERT_GT(end, start);

  // Reopening gives exactly the appends before the damaged one; the store goes on from there,
  // and so does the next recovery.
  const auto check = [&](const std::string& what) {
    SCOPED_TRACE(what);
    {
      DiskStore s(work.string(), DiskStoreOptions{segment_bytes});
      const auto got = loaded(s);
      ASSERT_EQ(got.size(), 1u);
      EXPECT_EQ(got.at("t"), before.meta);
      expect_records(s, "t", before);
      Model more = before;
      append(s, "t", more, {"more"});
      expect_records(s, "t", more);
    }
    DiskStore s(work.string(), DiskStoreOptions{segment_bytes});
    Model more = before;
    more.accept(more.next({"more"}), {"more"});
    EXPECT_EQ(loaded(s).at("t"), more.meta);
    expect_records(s, "t", more);
  };

  for (std::uint64_t cut = start; cut < end; ++cut) {
    copy_tree(pristine, work);
    const auto file = segments(work).back();
    ASSERT_EQ(file.filename().string(), name);
    fs::resize_file(file, cut);
    check("cut at " + std::to_string(cut));
  }
  // A flipped byte in the last append, which was acknowledged, is damage and not a torn tail:
  // reported, the stream refused, nothing cut. A repair cuts back to the append before it and
  // keeps what it cut.
  for (std::uint64_t at = start; at < end; ++at) {
    SCOPED_TRACE("flipped byte " + std::to_string(at));
    copy_tree(pristine, work);
    const auto file = segments(work).back();
    flip_byte(file, at);
    const std::string damaged = contents(file);
    {
      DiskStore s(work.string(), DiskStoreOptions{segment_bytes});
      EXPECT_TRUE(loaded(s).empty());
      EXPECT_TRUE(s.read("t", 0, 100).empty());
      const auto damage = s.damage();
      ASSERT_EQ(damage.size(), 1u);
      EXPECT_EQ(damage[0].stream, "t");
      EXPECT_EQ(damage[0].file, file.string());
      EXPECT_GE(damage[0].offset, start);
      EXPECT_LE(damage[0].offset, at);
      EXPECT_FALSE(damage[0].repaired);
      Model again;
      const auto meta = again.next({"x"});
      EXPECT_TRUE(finish([&](auto done) { s.create("t", meta, {"x"}, done); }))
        << "a damaged stream was replaced";
    }
    ASSERT_EQ(contents(file), damaged) << "the damaged file was changed";
    {
      DiskStore s(work.string(), DiskStoreOptions{segment_bytes, true});
      const auto damage = s.damage();
      ASSERT_EQ(damage.size(), 1u);
      EXPECT_TRUE(damage[0].repaired);
      EXPECT_EQ(damage[0].cut_file, file.string());
      EXPECT_EQ(damage[0].cut_at, start);
      ASSERT_EQ(damage[0].kept.size(), 1u);
      EXPECT_EQ(damage[0].kept[0], file.string() + ".damaged-" + std::to_string(start));
      EXPECT_EQ(contents(damage[0].kept[0]), damaged.substr(start)) << "what was cut is kept";
    }
    check("repaired after a flipped byte " + std::to_string(at));
  }
  // Records written after the last snapshot (an append whose metadata never made it) go too:
  // the two data frames of the last append, 9 + 5 bytes each, without its snapshot.
  copy_tree(pristine, work);
  fs::resize_file(segments(work).back(), start + 2 * (9 + 5));
  check("records without their metadata");
}

TEST(DiskStore, TornTailAtEveryByteOfTheLastAppend)
{
  torn_tail(DiskStoreOptions{}.segment_bytes);
}

TEST(DiskStore, TornTailInAFreshSegment)
{
  torn_tail(64);
}

/// The segment files of stream NAME under DIR, in order.
std::vector<fs::path> segments_of(const fs::path& dir, const std::string& name)
{
  std::vector<fs::path> out;
  for (const auto& file : fs::directory_iterator(dir / DiskStore::directory_name(name))) {
    if (file.path().extension() == ".log") {
      out.push_back(file.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// The offsets of the frames of FILE that hold metadata snapshots.
std::vector<std::uint64_t> snapshot_offsets(const fs::path& file)
{
  const std::string bytes = contents(file);
  std::vector<std::uint64_t> out;
  for (std::size_t off = 0; off < bytes.size();) {
    const auto frame = store::codec::decode_frame(std::string_view(bytes).substr(off));
    if (frame.status != store::codec::Frame::Status::ok) {
      ADD_FAILURE() << "a bad frame at " << off;
      break;
    }
    if (frame.header.type == static_cast<unsigned char>(store::codec::FrameType::meta)) {
      out.push_back(off);
    }
    off += frame.size;
  }
  return out;
}

TEST(DiskStore, DamageInASealedSegmentIsReportedAndOtherStreamsAreServed)
{
  TempDir tmp;
  const fs::path dir = tmp.path / "data";
  Model broken;
  Model healthy;
  {
    DiskStore s(dir.string(), DiskStoreOptions{64});
    create(s, "broken/stream", broken, {record(0, 50)});
    for (std::size_t i = 1; i < 5; ++i) {
      append(s, "broken/stream", broken, {record(i, 50)});
    }
    create(s, "healthy", healthy, {"fine"});
  }
  const auto files = segments_of(dir, "broken/stream");
  ASSERT_GT(files.size(), 2u);
  const auto sizes = [&]() {
    std::vector<std::uintmax_t> out;
    for (const auto& file : segments_of(dir, "broken/stream")) {
      out.push_back(fs::file_size(file));
    }
    return out;
  };
  const auto before = sizes();
  const auto opened = [&](const fs::path& file, std::uint64_t offset) {
    DiskStore s(dir.string(), DiskStoreOptions{64});
    const auto got = loaded(s);
    EXPECT_EQ(got.size(), 1u);
    EXPECT_EQ(got.at("healthy"), healthy.meta);
    expect_records(s, "healthy", healthy);
    EXPECT_TRUE(s.read("broken/stream", 0, 100).empty());
    const auto damage = s.damage();
    ASSERT_EQ(damage.size(), 1u);
    EXPECT_EQ(damage[0].stream, "broken/stream");
    EXPECT_EQ(damage[0].file, file.string());
    EXPECT_EQ(damage[0].offset, offset);
    EXPECT_EQ(damage[0].what, "a frame with a bad checksum");
  };
  // Before any snapshot names the stream: its directory does.
  flip_byte(files.front(), 20);
  opened(files.front(), 0);
  EXPECT_EQ(sizes(), before) << "nothing was cut";
  flip_byte(files.front(), 20); // undone: the stream is back
  {
    DiskStore s(dir.string(), DiskStoreOptions{64});
    EXPECT_TRUE(s.damage().empty());
    expect_records(s, "broken/stream", broken);
  }
  // After the first snapshot (in the second segment); a repair keeps the first segment and
  // moves the others aside whole.
  flip_byte(files.at(1), 20);
  opened(files.at(1), 0);
  EXPECT_EQ(sizes(), before);
  {
    DiskStore s(dir.string(), DiskStoreOptions{64, true});
    const auto damage = s.damage();
    ASSERT_EQ(damage.size(), 1u);
    EXPECT_TRUE(damage[0].repaired);
    EXPECT_EQ(damage[0].cut_file, files.at(1).string());
    EXPECT_EQ(damage[0].cut_at, 0u);
    ASSERT_EQ(damage[0].kept.size(), files.size() - 1);
    for (std::size_t k = 1; k < files.size(); ++k) {
      EXPECT_EQ(damage[0].kept[k - 1], files[k].string() + ".damaged-0");
      EXPECT_TRUE(fs::exists(damage[0].kept[k - 1]));
    }
    Model first;
    first.accept(first.next({record(0, 50)}), {record(0, 50)});
    EXPECT_EQ(loaded(s).at("broken/stream"), first.meta);
    expect_records(s, "broken/stream", first);
    expect_records(s, "healthy", healthy);
  }
  DiskStore s(dir.string(), DiskStoreOptions{64});
  EXPECT_TRUE(s.damage().empty()) << "a repaired stream opens clean";
  EXPECT_EQ(loaded(s).size(), 2u);
}

TEST(DiskStore, AFlippedBitBeforeTheLastCommitIsDamageNotATornTail)
{
  // The report of issue #13: 1000 acknowledged appends, one bit flipped in the middle of the
  // log (or near its start, or in a metadata snapshot): recovery cut everything after it.
  TempDir tmp(true);
  const fs::path pristine = tmp.path / "pristine";
  const fs::path work = tmp.path / "work";
  Model model;
  Model other;
  {
    DiskStore s(pristine.string());
    create(s, "log", model, {});
    for (std::size_t i = 0; i < 1000; ++i) {
      append(s, "log", model, {record(i, 20)});
    }
    create(s, "other", other, {"still here"});
  }
  const auto file = segments_of(pristine, "log").front();
  const auto snapshots = snapshot_offsets(file);
  ASSERT_EQ(snapshots.size(), 1001u);
  const std::uint64_t size = fs::file_size(file);
  for (const std::uint64_t at : {size / 2, std::uint64_t{3}, snapshots[500] + 30}) {
    SCOPED_TRACE("flipped byte " + std::to_string(at));
    copy_tree(pristine, work);
    const auto damaged = work / file.lexically_relative(pristine);
    flip_byte(damaged, at);
    {
      DiskStore s(work.string());
      const auto got = loaded(s);
      ASSERT_EQ(got.size(), 1u);
      expect_records(s, "other", other);
      const auto damage = s.damage();
      ASSERT_EQ(damage.size(), 1u);
      EXPECT_EQ(damage[0].stream, "log");
      EXPECT_EQ(damage[0].file, damaged.string());
      EXPECT_LE(damage[0].offset, at);
      EXPECT_GT(damage[0].offset + 200, at);
    }
    ASSERT_TRUE(fs::exists(damaged)) << "the stream's directory was deleted";
    EXPECT_EQ(fs::file_size(damaged), size) << "the damaged log was cut";
    // A repair keeps the appends before the damaged one.
    DiskStore s(work.string(), DiskStoreOptions{DiskStoreOptions{}.segment_bytes, true});
    const auto repairs = s.damage();
    ASSERT_EQ(repairs.size(), 1u);
    const auto& repaired = repairs[0];
    EXPECT_TRUE(repaired.repaired);
    EXPECT_LE(repaired.cut_at, repaired.offset);
    const auto records = read_all(s, "log", 1 << 20);
    EXPECT_LT(records.size(), 1000u);
    EXPECT_GT(records.size() + 60, (repaired.offset * 1000) / size);
    for (std::size_t i = 0; i < records.size(); ++i) {
      ASSERT_EQ(records[i].bytes, record(i, 20));
    }
    if (repaired.cut_at > 0) {
      EXPECT_EQ(fs::file_size(damaged), repaired.cut_at);
      ASSERT_EQ(repaired.kept.size(), 1u);
      EXPECT_EQ(fs::file_size(repaired.kept[0]), size - repaired.cut_at);
    } else {
      EXPECT_TRUE(loaded(s).size() == 1u) << "nothing was committed before the damage";
    }
  }
}

TEST(DiskStore, AMissingSegmentIsDamage)
{
  TempDir tmp;
  const fs::path dir = tmp.path / "data";
  {
    DiskStore s(dir.string(), DiskStoreOptions{64});
    Model model;
    create(s, "m", model, {record(0, 50)});
    for (std::size_t i = 1; i < 4; ++i) {
      append(s, "m", model, {record(i, 50)});
    }
  }
  const auto files = segments(dir);
  ASSERT_EQ(files.size(), 4u);
  fs::remove(files[1]);
  DiskStore s(dir.string(), DiskStoreOptions{64});
  EXPECT_TRUE(loaded(s).empty());
  ASSERT_EQ(s.damage().size(), 1u);
  EXPECT_EQ(s.damage()[0].stream, "m");
  EXPECT_EQ(s.damage()[0].file, files[1].string());
  EXPECT_EQ(s.damage()[0].what, "the segment is missing");
  EXPECT_TRUE(fs::exists(files[2]) && fs::exists(files[3]));
}

TEST(DiskStore, RemoveAndRecreate)
{
  TempDir tmp;
  const fs::path dir = tmp.path / "data";
  {
    DiskStore s(dir.string());
    Model old;
    create(s, "r", old, {"one", "two"});
    ASSERT_FALSE(finish([&](auto done) { s.remove("r", done); }));
    EXPECT_TRUE(s.read("r", 0, 100).empty());
    EXPECT_TRUE(loaded(s).empty());
    ASSERT_FALSE(finish([&](auto done) { s.remove("never there", done); }));
    Model fresh;
    create(s, "r", fresh, {"three"});
    expect_records(s, "r", fresh);
  }
  {
    DiskStore s(dir.string());
    Model fresh;
    fresh.accept(fresh.next({"three"}), {"three"});
    EXPECT_EQ(loaded(s).at("r"), fresh.meta);
    expect_records(s, "r", fresh);
    // Re-create without a remove: the new stream replaces the old one.
    Model replaced(7);
    create(s, "r", replaced, {"four", "five"});
    expect_records(s, "r", replaced);
    Model gone;
    create(s, "gone", gone, {"x"});
    ASSERT_FALSE(finish([&](auto done) { s.remove("gone", done); }));
  }
  std::size_t tombstones = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    tombstones += entry.path().filename().string().starts_with("t_") ? 1 : 0;
  }
  EXPECT_EQ(tombstones, 0u);
  EXPECT_EQ(segments(dir).size(), 1u) << "the replaced generation was deleted";
  DiskStore s(dir.string());
  Model replaced(7);
  replaced.accept(replaced.next({"four", "five"}), {"four", "five"});
  const auto got = loaded(s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got.at("r"), replaced.meta);
  expect_records(s, "r", replaced);
}

TEST(DiskStore, AnUncommittedNewerGenerationLeavesTheOldStream)
{
  TempDir tmp;
  const fs::path dir = tmp.path / "data";
  Model model;
  {
    DiskStore s(dir.string());
    create(s, "g", model, {"kept"});
  }
  // What a crash in the middle of a replacing create leaves: a newer generation without its
  // snapshot.
  const auto old = segments(dir).front();
  const fs::path newer = old.parent_path() / "00000000000000ff-00000000.log";
  {
    std::ofstream out(newer, std::ios::binary);
    out << std::string(30, '\x07');
  }
  {
    DiskStore s(dir.string());
    EXPECT_EQ(loaded(s).at("g"), model.meta);
    expect_records(s, "g", model);
  }
  EXPECT_FALSE(fs::exists(newer));
  // A leftover tombstone is finished off.
  fs::create_directory(dir / "t_9");
  std::ofstream(dir / "t_9" / "x.log") << "junk";
  {
    DiskStore s(dir.string());
    expect_records(s, "g", model);
  }
  EXPECT_FALSE(fs::exists(dir / "t_9"));
}

TEST(DiskStore, GroupCommitSharesSyncs)
{
  TempDir tmp;
  DiskStore s((tmp.path / "data").string());
  constexpr std::size_t k_streams = 10;
  constexpr std::size_t k_appends = 1000;
  std::vector<Model> models(k_streams);
  for (std::size_t i = 0; i < k_streams; ++i) {
    create(s, "group/" + std::to_string(i), models[i], {});
  }
  const auto before = s.stats();
  Tally tally(k_appends);
  for (std::size_t i = 0; i < k_appends; ++i) {
    Model& model = models[i % k_streams];
    const std::vector<std::string> records{record(i, 20 + i % 7)};
    const StreamMeta meta = model.next(records);
    s.append("group/" + std::to_string(i % k_streams), meta, records, tally.done());
    model.accept(meta, records);
  }
  ASSERT_TRUE(tally.wait()) << tally.count() << " of " << k_appends << " done";
  EXPECT_TRUE(tally.errors().empty()) << tally.errors().front();
  const auto after = s.stats();
  const auto syncs = after.file_syncs - before.file_syncs;
  const auto batches = after.batches - before.batches;
  std::printf("group commit: %zu appends to %zu streams in %llu batches, %llu fdatasyncs "
              "(%.3f per append), %llu directory fsyncs\n",
              k_appends, k_streams, static_cast<unsigned long long>(batches),
              static_cast<unsigned long long>(syncs), static_cast<double>(syncs) / k_appends,
              static_cast<unsigned long long>(after.dir_syncs - before.dir_syncs));
  EXPECT_LT(syncs, k_appends);
  for (std::size_t i = 0; i < k_streams; ++i) {
    expect_records(s, "group/" + std::to_string(i), models[i], 1000);
    EXPECT_EQ(loaded(s).at("group/" + std::to_string(i)), models[i].meta);
  }
}

TEST(DiskStore, NamesStayInsideTheDirectoryAndRoundTrip)
{
  TempDir tmp;
  const fs::path dir = tmp.path / "data";
  std::string every_byte;
  for (int c = 1; c < 256; ++c) {
    every_byte.push_back(static_cast<char>(c));
  }
  const std::vector<std::string> names = {
    "a/b", "a%2Fb", "%2F", "..", ".", "../escape", "../../../../../../tmp/escape", "/abs/path",
    "x/../../y", "a\\b", "", "~", "s_x", "t_0", "lock", "a b\tc\nd", std::string(300, '/'),
    std::string(1000, 'x'), std::string(400, 'q') + "1", std::string(400, 'q') + "2",
    every_byte, "caf\xc3\xa9", std::string("\xff\xfe\x80", 3)};
  std::map<std::string, Model> models;
  {
    DiskStore s(dir.string());
    for (std::size_t i = 0; i < names.size(); ++i) {
      create(s, names[i], models[names[i]], {"record of " + std::to_string(i)});
    }
    for (const auto& name : names) {
      expect_records(s, name, models[name]);
    }
  }
  // Nothing was made beside the data directory, and in it only the lock and stream directories.
  std::vector<std::string> beside;
  for (const auto& entry : fs::directory_iterator(tmp.path)) {
    beside.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(beside, std::vector<std::string>{"data"});
  std::set<std::string> dirs;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const auto relative = fs::relative(entry.path(), dir);
    const auto depth = std::distance(relative.begin(), relative.end());
    const std::string top = relative.begin()->string();
    EXPECT_TRUE(top == "lock" || top.starts_with("s_")) << top;
    EXPECT_LE(top.size(), 255u);
    EXPECT_LE(depth, 2) << relative;
    if (depth == 1 && top != "lock") {
      dirs.insert(top);
    }
  }
  EXPECT_EQ(dirs.size(), names.size());
  DiskStore s(dir.string());
  const auto got = loaded(s);
  ASSERT_EQ(got.size(), names.size());
  for (const auto& name : names) {
    ASSERT_TRUE(got.contains(name)) << name;
    expect_records(s, name, models[name]);
  }
}

TEST(DiskStore, ADamagedStreamWithoutIntactMetadataIsNamedByItsDirectory)
{
  TempDir tmp;
  const fs::path dir = tmp.path / "data";
  const std::vector<std::string> names = {"a/b", "a%2Fb", "~", "caf\xc3\xa9", "x y",
                                          std::string(300, 'l')};
  {
    DiskStore s(dir.string());
    for (const auto& name : names) {
      Model model;
      create(s, name, model, {"r"});
    }
  }
  // The last byte of each log is its only snapshot's: no intact metadata names the stream.
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() == ".log") {
      flip_byte(entry.path(), fs::file_size(entry.path()) - 1);
    }
  }
  DiskStore s(dir.string());
  EXPECT_TRUE(loaded(s).empty());
  std::multiset<std::string> reported;
  for (const auto& damage : s.damage()) {
    EXPECT_EQ(damage.what, "a frame with a bad checksum in the last commit");
    reported.insert(damage.stream);
  }
  // A name cut to fit a directory name is not all there: that stream goes unnamed.
  const std::multiset<std::string> expected = {"a/b", "a%2Fb", "~", "caf\xc3\xa9", "x y", ""};
  EXPECT_EQ(reported, expected);
}

TEST(DiskStore, ATakenDirectoryNameGetsASuffix)
{
  // Long names are cut and hashed, so two names could want one directory; the second then
  // gets another. A directory made behind the store's back stands in for the first name.
  TempDir tmp;
  const fs::path dir = tmp.path / "data";
  const std::string name(500, 'z');
  Model model;
  {
    DiskStore s(dir.string());
    fs::create_directories(dir / DiskStore::directory_name(name));
    create(s, name, model, {"mine"});
    expect_records(s, name, model);
    EXPECT_TRUE(fs::exists(dir / (DiskStore::directory_name(name) + "~1")));
  }
  DiskStore s(dir.string());
  EXPECT_EQ(loaded(s).at(name), model.meta);
  expect_records(s, name, model);
  EXPECT_FALSE(fs::exists(dir / DiskStore::directory_name(name))) << "no stream: deleted";
}

TEST(DiskStore, ASecondStoreOnOneDirectoryIsRefused)
{
  TempDir tmp;
  const std::string dir = (tmp.path / "data").string();
  {
    DiskStore first(dir);
    try {
      DiskStore second(dir);
      FAIL() << "two stores opened one directory";
    } catch (const util::Error& e) {
      EXPECT_EQ(e.code(), util::Errc::runtime);
      EXPECT_NE(std::string(e.what()).find("data directory is in use by another process"),
                std::string::npos)
        << e.what();
    }
  }
  EXPECT_NO_THROW({ DiskStore again(dir); });
}

TEST(DiskStore, AnUncreatableDirectoryIsAnError)
{
  TempDir tmp;
  std::ofstream(tmp.path / "file") << "x";
  const std::string dir = (tmp.path / "file" / "data").string();
  try {
    DiskStore s(dir);
    FAIL() << "opened a directory under a file";
  } catch (const util::Error& e) {
    EXPECT_EQ(e.code(), util::Errc::runtime);
    EXPECT_NE(std::string(e.what()).find(dir), std::string::npos) << e.what();
  }
}

TEST(DiskStore, AppendToAnUnknownStreamFails)
{
  TempDir tmp;
  DiskStore s((tmp.path / "data").string());
  const auto error = finish([&](auto done) { s.append("nope", StreamMeta{}, {"x"}, done); });
  ASSERT_TRUE(error);
  EXPECT_NE(message(error).find("no such stream"), std::string::npos) << message(error);
  EXPECT_TRUE(s.load().empty());
}

/// An injected I/O error (at the write or the sync) fails the append, leaves no trace, and
/// the store goes on.
void io_error(bool at_sync)
{
  TempDir tmp;
  const fs::path dir = tmp.path / "data";
  Model model;
  {
    DiskStore s(dir.string());
    create(s, "e", model, {"a", "b"});
    append(s, "e", model, {"c"});
    const auto size = fs::file_size(segments(dir).back());
    at_sync ? s.inject_sync_error(EIO) : s.inject_write_error(ENOSPC);
    const std::vector<std::string> lost{record(1, 100), record(2, 100)};
    const auto error =
      finish([&](auto done) { s.append("e", model.next(lost), lost, done); });
    ASSERT_TRUE(error);
    EXPECT_NE(message(error).find(at_sync ? std::strerror(EIO) : std::strerror(ENOSPC)),
              std::string::npos)
      << message(error);
    try {
      std::rethrow_exception(error);
    } catch (const util::Error& e) {
      EXPECT_EQ(e.code(), util::Errc::runtime);
    } catch (...) {
      ADD_FAILURE() << "not a util::Error";
    }
    EXPECT_EQ(fs::file_size(segments(dir).back()), size) << "the failed write was cut off";
    expect_records(s, "e", model);
    EXPECT_EQ(loaded(s).at("e"), model.meta);
    append(s, "e", model, {"d"});
    expect_records(s, "e", model);

    // A create that fails leaves nothing behind; one that replaced a stream leaves the old one.
    at_sync ? s.inject_sync_error(EIO) : s.inject_write_error(ENOSPC);
    Model fresh;
    EXPECT_TRUE(finish([&](auto done) { s.create("new", fresh.next({"n"}), {"n"}, done); }));
    EXPECT_FALSE(loaded(s).contains("new"));
    EXPECT_FALSE(fs::exists(dir / DiskStore::directory_name("new")));
    at_sync ? s.inject_sync_error(EIO) : s.inject_write_error(ENOSPC);
    Model replacing;
    EXPECT_TRUE(finish([&](auto done) { s.create("e", replacing.next({"z"}), {"z"}, done); }));
    expect_records(s, "e", model);
    create(s, "new", fresh, {"n"});
  }
  DiskStore s(dir.string());
  const auto got = loaded(s);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got.at("e"), model.meta);
  expect_records(s, "e", model);
  EXPECT_EQ(segments(dir).size(), 2u); // one per stream: no leftover generation
}

TEST(DiskStore, WriteErrorFailsTheAppendAndTheStoreGoesOn)
{
  io_error(false);
}

TEST(DiskStore, SyncErrorFailsTheAppendAndTheStoreGoesOn)
{
  io_error(true);
}

TEST(DiskStore, ReadsWhileAppendsAreInFlight)
{
  TempDir tmp;
  DiskStore s((tmp.path / "data").string(), DiskStoreOptions{4096});
  Model model;
  create(s, "busy", model, {});
  constexpr std::size_t k_appends = 2000;
  std::vector<std::string> expected;
  for (std::size_t i = 0; i < k_appends; ++i) {
    expected.push_back(record(i, 5 + i % 50));
  }
  std::atomic<bool> writing{true};
  std::atomic<std::size_t> bad{0};
  std::atomic<std::size_t> reads{0};
  std::thread reader([&]() {
    while (writing.load()) {
      std::uint64_t position = 0;
      std::size_t index = 0;
      for (const auto& r : read_all(s, "busy", 333)) {
        if (index >= expected.size() || r.position != position || r.bytes != expected[index]) {
          ++bad;
        }
        position += r.bytes.size();
        ++index;
      }
      ++reads;
    }
  });
  Tally tally(k_appends);
  for (std::size_t i = 0; i < k_appends; ++i) {
    const std::vector<std::string> records{expected[i]};
    const auto meta = model.next(records);
    s.append("busy", meta, records, tally.done());
    model.accept(meta, records);
  }
  const bool all_done = tally.wait();
  writing = false;
  reader.join();
  ASSERT_TRUE(all_done);
  EXPECT_TRUE(tally.errors().empty());
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_GT(reads.load(), 0u);
  expect_records(s, "busy", model, 1000);
}

TEST(DiskStore, DestructorFinishesQueuedChanges)
{
  TempDir tmp;
  const fs::path dir = tmp.path / "data";
  Model model;
  constexpr std::size_t k_appends = 300;
  Tally tally(k_appends + 1);
  {
    DiskStore s(dir.string());
    const auto meta = model.next({"start"});
    s.create("d", meta, {"start"}, tally.done());
    model.accept(meta, {"start"});
    for (std::size_t i = 0; i < k_appends; ++i) {
      const std::vector<std::string> records{record(i, 9)};
      const auto next = model.next(records);
      s.append("d", next, records, tally.done());
      model.accept(next, records);
    }
  }
  EXPECT_EQ(tally.count(), k_appends + 1) << "every Done ran before the destructor returned";
  EXPECT_TRUE(tally.errors().empty());
  DiskStore s(dir.string());
  EXPECT_EQ(loaded(s).at("d"), model.meta);
  expect_records(s, "d", model, 4096);
}

TEST(DiskStore, ReadsLikeTheMemoryStore)
{
  // The same changes through both stores; every read (from each position, with several
  // limits) and load() agree. Empty records included.
  TempDir tmp;
  DiskStore disk((tmp.path / "data").string(), DiskStoreOptions{100});
  store::MemoryStore memory;
  std::vector<store::Store*> both{&disk, &memory};
  std::map<std::string, Model> models;
  const auto create_both = [&](const std::string& name, std::uint64_t fork_offset,
                               const std::vector<std::string>& records) {
    Model model(fork_offset);
    for (auto* s : both) {
      Model copy = model;
      create(*s, name, copy, records);
      models[name] = copy;
    }
  };
  const auto append_both = [&](const std::string& name, const std::vector<std::string>& records) {
    for (auto* s : both) {
      Model copy = models[name];
      append(*s, name, copy, records);
      if (s == both.back()) {
        models[name] = copy;
      }
    }
  };
  create_both("plain", 0, {"alpha", "", "beta"});
  append_both("plain", {"", ""});
  append_both("plain", {"gamma-gamma-gamma"});
  for (std::size_t i = 0; i < 20; ++i) {
    append_both("plain", {record(i, i % 5 == 0 ? 0 : 3 + i)});
  }
  create_both("fork", 40, {"x", "yy"});
  append_both("fork", {"zzz"});
  create_both("empty", 9, {});
  for (const auto& [name, model] : models) {
    for (std::uint64_t from = 0; from <= model.meta.tail + 1; ++from) {
      for (const std::size_t max : {std::size_t{0}, std::size_t{1}, std::size_t{4},
                                    std::size_t{17}, std::size_t{1} << 20}) {
        const auto a = disk.read(name, from, max);
        const auto b = memory.read(name, from, max);
        ASSERT_EQ(a.size(), b.size()) << name << " from " << from << " max " << max;
        for (std::size_t i = 0; i < a.size(); ++i) {
          EXPECT_EQ(a[i].position, b[i].position) << name << " from " << from << " max " << max;
          EXPECT_EQ(a[i].bytes, b[i].bytes) << name << " from " << from << " max " << max;
        }
      }
    }
  }
  const auto sorted = [](std::vector<std::pair<std::string, StreamMeta>> all) {
    std::sort(all.begin(), all.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    return all;
  };
  EXPECT_EQ(sorted(disk.load()), sorted(memory.load()));
}

struct Step {
  enum class Kind { create, append, remove } kind;
  std::string name;
  std::vector<std::string> records;
};

/// Fires STEPS at S as one batch (with INJECT failing its first write) and applies the ones
/// that succeed to MODELS, checking that each success is one the model allows.
void fire(DiskStore& s, std::map<std::string, Model>& models, const std::vector<Step>& steps,
          bool inject)
{
  // What each step would write if everything before it succeeded is not known in advance (a
  // step fails if one before it did), so metadata is computed from the model as of firing,
  // which only differs where the model later says the step must fail.
  std::map<std::string, Model> planned = models;
  std::vector<StreamMeta> metas;
  for (const auto& step : steps) {
    Model& model = planned[step.name];
    if (step.kind == Step::Kind::create) {
      model = Model();
    }
    const auto meta = model.next(step.records);
    metas.push_back(meta);
    if (step.kind == Step::Kind::remove) {
      planned.erase(step.name);
    } else {
      model.accept(meta, step.records);
    }
  }
  std::vector<std::shared_ptr<std::promise<std::exception_ptr>>> promises;
  std::vector<std::future<std::exception_ptr>> futures;
  for (std::size_t i = 0; i < steps.size() + 1; ++i) {
    promises.push_back(std::make_shared<std::promise<std::exception_ptr>>());
    futures.push_back(promises.back()->get_future());
  }
  const auto done = [&](std::size_t i) {
    return [p = promises[i]](std::exception_ptr e) { p->set_value(e); };
  };
  const auto batches = s.stats().batches;
  s.hold_writer(true);
  const std::vector<std::string> first{"f"};
  s.create("first", Model().next(first), first, done(0));
  if (inject) {
    s.inject_write_error(ENOSPC);
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& step = steps[i];
    switch (step.kind) {
    case Step::Kind::create:
      s.create(step.name, metas[i], step.records, done(i + 1));
      break;
    case Step::Kind::append:
      s.append(step.name, metas[i], step.records, done(i + 1));
      break;
    case Step::Kind::remove:
      s.remove(step.name, done(i + 1));
      break;
    }
  }
  s.hold_writer(false);
  for (auto& f : futures) {
    ASSERT_EQ(f.wait_for(k_patience), std::future_status::ready);
  }
  EXPECT_EQ(s.stats().batches, batches + 1);
  std::size_t failures = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto error = futures[i + 1].get();
    const auto& step = steps[i];
    const bool exists = models.contains(step.name);
    if (error) {
      ++failures;
      continue;
    }
    switch (step.kind) {
    case Step::Kind::create:
      models[step.name] = Model();
      models[step.name].accept(metas[i], step.records);
      break;
    case Step::Kind::append: {
      ASSERT_TRUE(exists) << "append " << i << " to a missing stream succeeded";
      Model& model = models[step.name];
      // The metadata fired was planned; it is right only if every step before succeeded.
      model.accept(metas[i], step.records);
      break;
    }
    case Step::Kind::remove:
      models.erase(step.name);
      break;
    }
  }
  if (futures[0].get()) {
    ++failures;
  }
  EXPECT_EQ(failures, inject ? steps.size() + 1 : 0u);
}

void expect_models(DiskStore& s, const std::map<std::string, Model>& models)
{
  std::map<std::string, StreamMeta> want;
  for (const auto& [name, model] : models) {
    want[name] = model.meta;
  }
  auto got = loaded(s);
  got.erase("first");
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, model] : models) {
    ASSERT_TRUE(got.contains(name)) << name;
    // Records are what decides; the tail follows from them.
    expect_records(s, name, model);
    std::uint64_t total = 0;
    for (const auto& r : model.records) {
      total += r.size();
    }
    EXPECT_EQ(got.at(name).tail, model.meta.fork_offset + total) << name;
  }
}

TEST(DiskStore, MixedChangesInOneBatch)
{
  TempDir tmp;
  const fs::path dir = tmp.path / "data";
  std::map<std::string, Model> models;
  const std::string long_name = "long/" + std::string(300, 'L');
  const std::vector<Step> steps{
    {Step::Kind::create, "m", {"1"}},     {Step::Kind::append, "m", {"2"}},
    {Step::Kind::remove, "m", {}},        {Step::Kind::create, "m", {"3"}},
    {Step::Kind::append, "m", {"4"}},     {Step::Kind::create, "m", {"5"}},
    {Step::Kind::append, "m", {"6"}},     {Step::Kind::remove, "nothing", {}},
    {Step::Kind::create, "k", {"k"}},     {Step::Kind::append, "k", {"kk"}},
    {Step::Kind::remove, "k", {}},        {Step::Kind::create, long_name, {"l"}},
    {Step::Kind::append, "m", {"7", "8"}},
  };
  {
    DiskStore s(dir.string(), DiskStoreOptions{4});
    fire(s, models, steps, false);
    ASSERT_EQ(models.size(), 2u);
    EXPECT_EQ(models.at("m").records, (std::vector<std::string>{"5", "6", "7", "8"}));
    expect_models(s, models);
    // Again on top, with the first write failing: whatever failed left no trace.
    const std::vector<Step> more{
      {Step::Kind::append, "m", {"9"}},  {Step::Kind::create, "n", {"n"}},
      {Step::Kind::remove, "m", {}},     {Step::Kind::create, "m", {"10"}},
      {Step::Kind::append, "n", {"nn"}}, {Step::Kind::remove, long_name, {}},
    };
    fire(s, models, more, true);
    expect_models(s, models);
    fire(s, models, steps, false);
    expect_models(s, models);
  }
  DiskStore s(dir.string(), DiskStoreOptions{4});
  expect_models(s, models);
}

TEST(DiskStore, ABatchTouchingManyStreams)
{
  // More streams in one batch than the store keeps files open at once; the batch fails as a
  // whole at its first sync (some files written, some not yet), then succeeds.
  TempDir tmp(true);
  const fs::path dir = tmp.path / "data";
  constexpr std::size_t k_streams = 300;
  std::vector<Model> models(k_streams);
  const auto name = [](std::size_t i) { return "many/" + std::to_string(i); };
  {
    DiskStore s(dir.string());
    const auto run = [&](bool append, bool fail) {
      Tally tally(k_streams);
      std::vector<StreamMeta> metas;
      const auto batches = s.stats().batches;
      s.hold_writer(true);
      for (std::size_t i = 0; i < k_streams; ++i) {
        const std::vector<std::string> records{record(i, 1 + i % 13)};
        metas.push_back(append ? models[i].next(records) : Model().next(records));
        if (append) {
          s.append(name(i), metas.back(), records, tally.done());
        } else {
          s.create(name(i), metas.back(), records, tally.done());
        }
      }
      if (fail) {
        s.inject_sync_error(EIO);
      }
      s.hold_writer(false);
      ASSERT_TRUE(tally.wait());
      EXPECT_EQ(s.stats().batches, batches + 1);
      EXPECT_EQ(tally.errors().size(), fail ? k_streams : 0u);
      if (!fail) {
        for (std::size_t i = 0; i < k_streams; ++i) {
          const std::vector<std::string> records{record(i, 1 + i % 13)};
          if (!append) {
            models[i] = Model();
          }
          models[i].accept(metas[i], records);
        }
      }
    };
    run(false, false);
    run(true, true);
    run(true, false);
    for (std::size_t i = 0; i < k_streams; ++i) {
      expect_records(s, name(i), models[i]);
    }
  }
  DiskStore s(dir.string());
  const auto got = loaded(s);
  ASSERT_EQ(got.size(), k_streams);
  for (std::size_t i = 0; i < k_streams; ++i) {
    EXPECT_EQ(got.at(name(i)), models[i].meta);
    expect_records(s, name(i), models[i]);
  }
}

/// The child of KilledWritersLeaveAPrefix: appends record after record to "k" in DIR (up to
/// 32 in flight), writing each acknowledged count to ACK_FD, until it is killed.
[[noreturn]] void append_until_killed(const std::string& dir, int ack_fd)
{
  try {
    DiskStore s(dir, DiskStoreOptions{4096});
    std::mutex mutex;
    std::condition_variable changed;
    int in_flight = 0;
    StreamMeta meta;
    std::uint64_t next = 0;
    const auto all = s.load();
    if (all.empty()) {
      meta.last_stream_seq = "0";
      if (finish([&](auto done) { s.create("k", meta, {}, done); })) {
        ::_exit(2);
      }
    } else {
      meta = all.at(0).second;
      next = std::stoull(meta.last_stream_seq);
    }
    for (;; ++next) {
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&]() { return in_flight < 32; });
        ++in_flight;
      }
      const std::vector<std::string> records{record(next, 1 + next % 100)};
      meta.tail += records[0].size();
      meta.last_stream_seq = std::to_string(next + 1);
      s.append("k", meta, records, [&, next](std::exception_ptr error) {
        const std::uint64_t acked = next + 1;
        if (error || ::write(ack_fd, &acked, sizeof acked) != sizeof acked) {
          ::_exit(3);
        }
        {
          const std::lock_guard lock(mutex);
          --in_flight;
        }
        changed.notify_one();
      });
    }
  } catch (...) {
    ::_exit(4);
  }
}

TEST(DiskStore, KilledWritersLeaveAPrefix)
{
  // A writer process killed at some moment (mid-batch, mid-roll) leaves a log whose recovery
  // holds every acknowledged append, whole, in order, with the metadata of the last one kept.
  TempDir tmp;
  const std::string dir = (tmp.path / "data").string();
  std::uint64_t acked = 0;
  for (const std::uint64_t wait_for : {1, 40, 7, 300, 64, 150}) {
    SCOPED_TRACE("killed after " + std::to_string(wait_for) + " more acknowledgements");
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      append_until_killed(dir, fds[1]);
    }
    ::close(fds[1]);
    const auto read_ack = [&](int timeout_ms) {
      pollfd p{fds[0], POLLIN, 0};
      std::uint64_t value = 0;
      if (::poll(&p, 1, timeout_ms) != 1 || ::read(fds[0], &value, sizeof value) != sizeof value) {
        return false;
      }
      acked = std::max(acked, value);
      return true;
    };
    const std::uint64_t target = acked + wait_for;
    while (acked < target) {
      if (!read_ack(30000)) {
        break;
      }
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    while (read_ack(0)) {
      // Acknowledged before the kill, too.
    }
    ::close(fds[0]);
    EXPECT_TRUE(WIFSIGNALED(status)) << "the writer exited by itself with " << WEXITSTATUS(status);
    ASSERT_GE(acked, target);

    DiskStore s(dir, DiskStoreOptions{4096});
    const auto got = loaded(s);
    ASSERT_EQ(got.size(), 1u);
    const auto records = read_all(s, "k", 1000);
    ASSERT_GE(records.size(), acked) << "an acknowledged append was lost";
    std::uint64_t position = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
      ASSERT_EQ(records[i].position, position) << i;
      ASSERT_EQ(records[i].bytes, record(i, 1 + i % 100)) << i;
      position += records[i].bytes.size();
    }
    EXPECT_EQ(got.at("k").tail, position);
    EXPECT_EQ(got.at("k").last_stream_seq, std::to_string(records.size()))
      << "the metadata is not the one that accepted the last record";
    acked = records.size();
  }
}

} // namespace
