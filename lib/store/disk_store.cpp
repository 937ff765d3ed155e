// Opening the data directory (created if need be, and locked for as long as the store is
// open), the Store interface, and reads: a read looks up the durable view of a stream under
// the view lock and then preads the segments without it.

#include "store/disk_store_internal.hpp"

#include "util/error.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace fs = std::filesystem;

namespace store {

using disk::Fd;
using disk::throw_io_error;

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
    throw_io_error("cannot open the data directory " + directory, directory, saved);
  }
  m_lock_fd = ::openat(m_dir_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_lock_fd < 0) {
    const int error = errno;
    ::close(m_dir_fd);
    throw_io_error("cannot open the lock file in the data directory " + directory, directory,
                   error);
  }
  if (::flock(m_lock_fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(m_lock_fd);
    ::close(m_dir_fd);
    if (error == EWOULDBLOCK) {
      throw util::Error(util::Errc::runtime,
                        "data directory is in use by another process: " + directory, directory);
    }
    throw_io_error("cannot lock the data directory " + directory, directory, error);
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
  return read_by_visiting(name, from, max_bytes);
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
      const auto by_position = [](std::uint64_t value, const disk::Entry& e) {
        return value < e.pos;
      };
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
                                      [](std::size_t value, const disk::SegmentStart& s) {
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
        throw_io_error("cannot open " + path, path, saved);
      }
      const std::uint64_t span_start = pieces[first].offset;
      const std::uint64_t span = pieces[last].offset + pieces[last].size - span_start;
      if (span <= 2 * payload + 65536) {
        std::string& buffer = buffers.emplace_back(span, '\0');
        disk::pread_exact(fd.get(), buffer.data(), span, span_start, path);
        for (std::size_t k = first; k <= last; ++k) {
          views[k] = {buffers.size() - 1, pieces[k].offset - span_start};
        }
      } else {
        for (std::size_t k = first; k <= last; ++k) {
          std::string& buffer = buffers.emplace_back(pieces[k].size, '\0');
          disk::pread_exact(fd.get(), buffer.data(), pieces[k].size, pieces[k].offset, path);
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

} // namespace store
