// Loading the streams at open: per stream directory the newest generation with a commit wins
// and the others are deleted; a damaged stream is refused, or with --repair cut back to its
// last intact commit point (what is cut is kept in copies). The rules are in disk_store.hpp.

#include "store/disk_store_internal.hpp"
#include "store/generation_scan.hpp"

#include "util/error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <system_error>

namespace fs = std::filesystem;

namespace store {

using disk::Fd;
using disk::throw_io_error;

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

void DiskStore::recover_stream(const std::string& dirname, bool repair)
{
  const std::string dir_path = m_directory + "/" + dirname;
  std::map<std::uint64_t, std::map<std::uint64_t, std::string>> gens;
  std::error_code ec;
  for (fs::directory_iterator it(dir_path, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (const auto parsed = disk::parse_segment_name(file)) {
      gens[parsed->first][parsed->second] = file;
      m_next_gen = std::max(m_next_gen, parsed->first + 1);
    }
  }
  if (ec) {
    throw util::Error(util::Errc::runtime, "cannot list " + dir_path + ": " + ec.message(),
                      dir_path);
  }

  std::optional<disk::Recovered> winner;
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
      disk::Scan scan = disk::scan_generation(m_dir_fd, m_directory, dirname, files, missing);
      if (scan.kind == disk::Scan::Kind::intact) {
        winner = std::move(scan.recovered);
        winner_gen = it->first;
        changed = changed || winner->segments.size() < files.size();
        continue;
      }
      if (scan.kind == disk::Scan::Kind::damaged) {
        // Nothing of the stream's directory is touched, older generations included: which of
        // them holds the stream is not known.
        if (changed) {
          sync_directory(dirname);
        }
        disk::Damaged& d = scan.damaged;
        Damage damage;
        damage.stream = d.name.empty() ? disk::name_of_directory(dirname) : d.name;
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
        throw_io_error("cannot delete " + m_directory + "/" + rel, m_directory + "/" + rel, saved);
      }
      changed = true;
    }
  }
  if (!winner) {
    if (disk::holds_kept_copies(dir_path)) {
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

void DiskStore::cut_back(const std::string& dirname, const std::vector<std::string>& files,
                         std::optional<std::size_t> commit_segment, std::uint64_t commit_offset,
                         Damage& damage)
{
  // Later files first, so that a repair cut short leaves the damage for the next one to find.
  const std::size_t first_whole = commit_segment ? *commit_segment + 1 : 0;
  damage.repaired = true;
  for (std::size_t k = files.size(); k-- > first_whole;) {
    const std::string rel = dirname + "/" + files[k];
    const std::string kept = disk::kept_name(m_dir_fd, rel, 0);
    if (::renameat(m_dir_fd, rel.c_str(), m_dir_fd, kept.c_str()) != 0) {
      const int saved = errno;
      throw_io_error("cannot rename " + m_directory + "/" + rel, m_directory + "/" + rel, saved);
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
    throw_io_error("cannot open " + path, path, saved);
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size <= at) {
    return;
  }
  // The copy is durable before the original is cut.
  const std::string kept = disk::kept_name(m_dir_fd, rel, at);
  const std::string kept_path = m_directory + "/" + kept;
  const Fd out(::openat(m_dir_fd, kept.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (out.get() < 0) {
    const int saved = errno;
    throw_io_error("cannot create " + kept_path, kept_path, saved);
  }
  std::vector<char> buffer(disk::k_read_buffer);
  for (std::uint64_t from = at; from < size;) {
    const auto want =
      static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - from));
    disk::pread_exact(fd.get(), buffer.data(), want, from, path);
    disk::pwrite_full(out.get(), buffer.data(), want, from - at, kept_path);
    from += want;
  }
  if (::fsync(out.get()) != 0) {
    const int saved = errno;
    throw_io_error("cannot sync " + kept_path, kept_path, saved);
  }
  sync_directory(dirname);
  if (::ftruncate(fd.get(), static_cast<off_t>(at)) != 0 || ::fdatasync(fd.get()) != 0) {
    const int saved = errno;
    throw_io_error("cannot cut " + path, path, saved);
  }
  damage.kept.insert(damage.kept.begin(), kept_path);
  damage.cut_file = path;
  damage.cut_at = at;
}

} // namespace store
