#include "store/generation_scan.hpp"

#include "store/log_codec.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <utility>

namespace store::disk {

namespace {

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
    const std::size_t frame_size = codec::k_frame_header + header.length;
    const codec::Frame frame =
      codec::decode_frame(std::string_view(reader.at(p, frame_size), frame_size));
    if (frame.status != codec::Frame::Status::ok) {
      continue;
    }
    auto snapshot = codec::decode_snapshot(frame.payload);
    if (snapshot && (name.empty() || snapshot->name == name)) {
      return std::make_pair(p, std::move(snapshot->name));
    }
  }
  return std::nullopt;
}

} // namespace

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
      throw_io_error("cannot open " + path, path, saved);
    }
    struct stat st = {};
    if (::fstat(fd.get(), &st) != 0) {
      const int saved = errno;
      throw_io_error("cannot stat " + path, path, saved);
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
      // The frame's bytes, or as many of them as the file holds.
      const auto held = static_cast<std::size_t>(std::min<std::uint64_t>(rest, header.length));
      const std::size_t there = codec::k_frame_header + held;
      const codec::Frame frame =
        codec::decode_frame(std::string_view(reader.at(off, there), there));
      if (frame.status != codec::Frame::Status::ok) {
        if (frame.status == codec::Frame::Status::short_payload) {
          problem = "a frame that runs past the end of the file";
        } else if (frame.status == codec::Frame::Status::bad_type) {
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
      if (header.type == static_cast<unsigned char>(codec::FrameType::data)) {
        r.entries.push_back(Entry{total, off + codec::k_frame_header});
        total += header.length;
        ++count;
      } else {
        auto snapshot = codec::decode_snapshot(frame.payload);
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
        throw_io_error("cannot delete " + path, path, saved);
      }
      r.segments.pop_back();
      r.last_size = sizes.back();
    } else {
      if (snapshot_end < size) {
        if (::ftruncate(fd.get(), static_cast<off_t>(snapshot_end)) != 0) {
          const int saved = errno;
          throw_io_error("cannot truncate " + path, path, saved);
        }
        if (::fdatasync(fd.get()) != 0) {
          const int saved = errno;
          throw_io_error("cannot sync " + path, path, saved);
        }
      }
      r.last_size = snapshot_end;
    }
  }
  r.meta.tail = r.base + r.total;
  scan.kind = Scan::Kind::intact;
  return scan;
}

} // namespace store::disk
