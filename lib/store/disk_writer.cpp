// The writer thread: it takes every change queued since its last batch, applies them, writes
// each touched stream's frames and closing snapshot with one fdatasync per file (the group
// commit), and only then publishes the new state to readers and calls the Dones. A batch that
// fails is undone as a whole; an undo that fails stops all later changes.

#include "store/disk_store_internal.hpp"

#include "store/log_codec.hpp"

#include "util/error.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace fs = std::filesystem;

namespace store {

using disk::Fd;
using disk::throw_io_error;

namespace {

constexpr std::size_t k_open_files = 64; ///< segment files a commit has open at once

std::exception_ptr error(const std::string& what, const std::string& where = {})
{
  return std::make_exception_ptr(util::Error(util::Errc::runtime, what, where));
}

} // namespace

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
        } catch (const disk::Refused& refused) {
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
        throw_io_error("cannot open " + path, path, saved);
      }
      // Undone by path: the undos of the renames before it run after this one.
      const std::uint64_t start = files.size;
      batch.undo.emplace_back([this, rel, start]() {
        const Fd undo(::openat(m_dir_fd, rel.c_str(), O_WRONLY | O_CLOEXEC));
        return undo.get() >= 0 && ::ftruncate(undo.get(), static_cast<off_t>(start)) == 0 &&
               ::fdatasync(undo.get()) == 0;
      });
      if (const int injected = m_fail_write.exchange(0); injected != 0) {
        [[maybe_unused]] const auto written = ::pwrite(
          fd->get(), files.pending.data(), files.pending.size() / 2, static_cast<off_t>(start));
        throw_io_error("cannot write " + path, path, injected);
      }
      disk::pwrite_full(fd->get(), files.pending.data(), files.pending.size(), start, path);
      files.size += files.pending.size();
      std::string().swap(files.pending);
      open.emplace_back(std::move(fd), path);
    }
    for (const auto& [fd, path] : open) {
      m_file_syncs.fetch_add(1, std::memory_order_relaxed);
      if (const int injected = m_fail_sync.exchange(0); injected != 0) {
        throw_io_error("cannot sync " + path, path, injected);
      }
      if (::fdatasync(fd->get()) != 0) {
        const int saved = errno;
        throw_io_error("cannot sync " + path, path, saved);
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
      throw_io_error("cannot sync " + m_directory, m_directory, saved);
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
