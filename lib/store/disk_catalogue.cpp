// The data directory's catalogue of streams: which directory holds which stream, the names
// of tombstones and of the copies a repair keeps, and the directory syncs that make a new or
// removed name durable.

#include "store/disk_store_internal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string_view>

namespace fs = std::filesystem;

namespace store {

namespace {

constexpr std::size_t k_max_dirname = 200;

std::uint64_t fnv1a64(std::string_view text)
{
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

/// Whether no file REL exists under DIR_FD.
bool absent(int dir_fd, const std::string& rel)
{
  struct stat st = {};
  return ::fstatat(dir_fd, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
}

} // namespace

namespace disk {

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

std::string kept_name(int dir_fd, const std::string& rel, std::uint64_t at)
{
  const std::string base = rel + ".damaged-" + std::to_string(at);
  for (int k = 0;; ++k) {
    std::string candidate = k == 0 ? base : base + "." + std::to_string(k);
    if (absent(dir_fd, candidate)) {
      return candidate;
    }
  }
}

} // namespace disk

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

std::string DiskStore::allocate_directory(const std::string& name) const
{
  const std::string base = directory_name(name);
  for (std::uint64_t k = 0;; ++k) {
    std::string candidate = k == 0 ? base : base + "~" + std::to_string(k);
    if (m_dirs.contains(candidate)) {
      continue;
    }
    if (::mkdirat(m_dir_fd, candidate.c_str(), 0755) == 0) {
      return candidate;
    }
    if (errno != EEXIST) {
      const int saved = errno;
      const std::string path = m_directory + "/" + candidate;
      disk::throw_io_error("cannot create " + path, path, saved);
    }
  }
}

std::string DiskStore::allocate_tombstone()
{
  for (;;) {
    std::string candidate = "t_" + std::to_string(m_next_tombstone++);
    if (absent(m_dir_fd, candidate)) {
      return candidate;
    }
  }
}

void DiskStore::sync_directory(const std::string& path)
{
  const disk::Fd fd(::openat(m_dir_fd, path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int saved = errno;
    disk::throw_io_error("cannot open " + m_directory + "/" + path, m_directory + "/" + path,
                         saved);
  }
  if (::fsync(fd.get()) != 0) {
    const int saved = errno;
    disk::throw_io_error("cannot sync " + m_directory + "/" + path, m_directory + "/" + path,
                         saved);
  }
  m_dir_syncs.fetch_add(1, std::memory_order_relaxed);
}

} // namespace store
