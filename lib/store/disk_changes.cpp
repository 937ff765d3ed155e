// What each change does to the writer's state of a stream and to its files, before the
// batch is committed: a create takes a new generation (and a directory), an append frames its
// records for the last segment (rolling it over first once it is full and synced), a remove
// renames the directory to a tombstone. Every file change pushes its undo onto the batch.

#include "store/disk_store_internal.hpp"

#include "store/log_codec.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>

namespace store {

using disk::Refused;
using disk::SegmentStart;
using disk::segment_name;

namespace {

bool too_big(const std::vector<std::string>& records)
{
  return std::any_of(records.begin(), records.end(), [](const std::string& r) {
    return r.size() > std::numeric_limits<std::uint32_t>::max();
  });
}

} // namespace

void DiskStore::Files::add(const std::vector<std::string>& records)
{
  for (const auto& record : records) {
    new_entries.push_back(disk::Entry{total, size + pending.size() + codec::k_frame_header});
    codec::append_frame(pending, codec::FrameType::data, record);
    total += record.size();
    ++count;
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
  disk::create_segment_file(m_dir_fd, rel, m_directory + "/" + rel);
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
    files->dirname = allocate_directory(op.name);
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
    const std::string path = m_directory + "/" + dirname;
    disk::throw_io_error("cannot rename " + path, path, saved);
  }
  batch.undo.emplace_back([this, dirname, tombstone]() {
    return ::renameat(m_dir_fd, tombstone.c_str(), m_dir_fd, dirname.c_str()) == 0;
  });
  batch.root_dirty = true;
  batch.tombstones_after.push_back(tombstone);
  m_dirs.erase(dirname);
  m_files.erase(found);
}

} // namespace store
