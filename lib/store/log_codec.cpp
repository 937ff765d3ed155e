#include "store/log_codec.hpp"

#include <array>
#include <bit>
#include <cstring>

namespace store::codec {

// --- CRC-32C ------------------------------------------------------------------------------

namespace {

struct Crc32cTables {
  std::array<std::array<std::uint32_t, 256>, 8> t{};
  Crc32cTables()
  {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t crc = i;
      for (int bit = 0; bit < 8; ++bit) {
        crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
      }
      t[0][i] = crc;
    }
    for (std::size_t k = 1; k < 8; ++k) {
      for (std::size_t i = 0; i < 256; ++i) {
        t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
      }
    }
  }
};

const Crc32cTables& crc_tables()
{
  static const Crc32cTables tables;
  return tables;
}

} // namespace

std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t size)
{
  const auto& t = crc_tables().t;
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  if constexpr (std::endian::native == std::endian::little) {
    while (size >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, p, 8);
      word ^= crc;
      crc = t[7][word & 0xFF] ^ t[6][(word >> 8) & 0xFF] ^ t[5][(word >> 16) & 0xFF] ^
            t[4][(word >> 24) & 0xFF] ^ t[3][(word >> 32) & 0xFF] ^ t[2][(word >> 40) & 0xFF] ^
            t[1][(word >> 48) & 0xFF] ^ t[0][word >> 56];
      p += 8;
      size -= 8;
    }
  }
  while (size-- > 0) {
    crc = t[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  }
  return ~crc;
}

// --- frames -------------------------------------------------------------------------------

namespace {

constexpr unsigned char k_version_1 = 1;
constexpr unsigned char k_version_2 = 2; ///< adds the frame's own offset, after the version

void put_u32(std::string& out, std::uint32_t value)
{
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  }
}

void put_u64(std::string& out, std::uint64_t value)
{
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  }
}

std::uint32_t get_u32(const char* p)
{
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  return value;
}

std::uint64_t get_u64(const char* p)
{
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  return value;
}

std::uint32_t crc_of(std::uint32_t length, unsigned char type, std::string_view payload)
{
  std::string head;
  put_u32(head, length);
  head.push_back(static_cast<char>(type));
  const std::uint32_t crc = crc32c(0, head.data(), head.size());
  return crc32c(crc, payload.data(), payload.size());
}

bool known_type(unsigned char type)
{
  return type == static_cast<unsigned char>(FrameType::data) ||
         type == static_cast<unsigned char>(FrameType::meta);
}

} // namespace

void append_frame(std::string& out, FrameType type, std::string_view payload)
{
  const auto length = static_cast<std::uint32_t>(payload.size());
  put_u32(out, length);
  put_u32(out, crc_of(length, static_cast<unsigned char>(type), payload));
  out.push_back(static_cast<char>(type));
  out.append(payload);
}

FrameHeader read_frame_header(const char* bytes)
{
  return FrameHeader{get_u32(bytes), get_u32(bytes + 4), static_cast<unsigned char>(bytes[8])};
}

bool frame_valid(const FrameHeader& header, std::string_view payload)
{
  return payload.size() == header.length && known_type(header.type) &&
         crc_of(header.length, header.type, payload) == header.crc;
}

bool frame_valid_with_length(const FrameHeader& header, std::string_view payload)
{
  return payload.size() <= 0xFFFFFFFFu && known_type(header.type) &&
         crc_of(static_cast<std::uint32_t>(payload.size()), header.type, payload) == header.crc;
}

Frame decode_frame(std::string_view bytes)
{
  Frame frame;
  if (bytes.size() < k_frame_header) {
    frame.status = Frame::Status::short_header;
    return frame;
  }
  frame.header = read_frame_header(bytes.data());
  if (bytes.size() - k_frame_header < frame.header.length) {
    frame.status = Frame::Status::short_payload;
    return frame;
  }
  frame.payload = bytes.substr(k_frame_header, frame.header.length);
  frame.size = k_frame_header + frame.header.length;
  if (!known_type(frame.header.type)) {
    frame.status = Frame::Status::bad_type;
  } else if (!frame_valid(frame.header, frame.payload)) {
    frame.status = Frame::Status::bad_crc;
  } else {
    frame.status = Frame::Status::ok;
  }
  return frame;
}

// --- metadata snapshots -------------------------------------------------------------------

namespace {

void put_string(std::string& out, std::string_view text)
{
  put_u64(out, text.size());
  out.append(text);
}

void put_flag(std::string& out, bool flag)
{
  out.push_back(flag ? 1 : 0);
}

/// Reads what encode_snapshot writes; any other byte fails it (so that a decoded snapshot
/// encodes to the bytes it came from).
class SnapshotReader {
public:
  explicit SnapshotReader(std::string_view data) : m_data(data) {}

  std::optional<Snapshot> read()
  {
    Snapshot s;
    StreamMeta& m = s.meta;
    const unsigned char version = byte();
    if (version == k_version_2) {
      s.offset = u64();
    } else if (version != k_version_1) {
      return std::nullopt;
    }
    s.name = string();
    s.count = u64();
    s.total = u64();
    m.content_type = string();
    if (flag()) {
      m.ttl_seconds = u64();
    } else {
      zero_u64();
    }
    if (flag()) {
      m.expires_at = string();
    } else {
      empty_string();
    }
    if (flag()) {
      m.expires_at_ms = static_cast<std::int64_t>(u64());
    } else {
      zero_u64();
    }
    m.closed = flag();
    m.closed_by = string();
    m.last_stream_seq = string();
    const std::uint64_t producers = u64();
    // Each producer takes at least 24 bytes: a count past that is damage, not a loop bound.
    if (producers > (m_data.size() - m_pos) / 24) {
      m_ok = false;
    }
    for (std::uint64_t i = 0; i < producers && m_ok; ++i) {
      std::string id = string();
      Producer p;
      p.epoch = u64();
      p.seq = u64();
      if (!m.producers.empty() && !(m.producers.rbegin()->first < id)) {
        m_ok = false; // written in order, each once
      }
      m.producers.emplace_hint(m.producers.end(), std::move(id), p);
    }
    m.forked_from = string();
    m.fork_offset = u64();
    m.tail = u64();
    m.fork_count = u64();
    m.soft_deleted = flag();
    m.created_ms = static_cast<std::int64_t>(u64());
    if (!m_ok || m_pos != m_data.size()) {
      return std::nullopt;
    }
    return s;
  }

private:
  bool take(std::size_t n)
  {
    if (!m_ok || m_data.size() - m_pos < n) {
      m_ok = false;
      return false;
    }
    return true;
  }
  unsigned char byte()
  {
    if (!take(1)) {
      return 0;
    }
    return static_cast<unsigned char>(m_data[m_pos++]);
  }
  bool flag()
  {
    const unsigned char value = byte();
    if (value > 1) {
      m_ok = false;
    }
    return value == 1;
  }
  std::uint64_t u64()
  {
    if (!take(8)) {
      return 0;
    }
    const std::uint64_t value = get_u64(m_data.data() + m_pos);
    m_pos += 8;
    return value;
  }
  void zero_u64()
  {
    if (u64() != 0) {
      m_ok = false;
    }
  }
  std::string string()
  {
    const std::uint64_t size = u64();
    if (!take(0) || size > m_data.size() - m_pos) {
      m_ok = false;
      return {};
    }
    std::string out(m_data.substr(m_pos, size));
    m_pos += size;
    return out;
  }
  void empty_string()
  {
    if (!string().empty()) {
      m_ok = false;
    }
  }

  std::string_view m_data;
  std::size_t m_pos = 0;
  bool m_ok = true;
};

} // namespace

std::string encode_snapshot(const Snapshot& snapshot)
{
  const StreamMeta& meta = snapshot.meta;
  std::string out;
  if (snapshot.offset) {
    out.push_back(static_cast<char>(k_version_2));
    put_u64(out, *snapshot.offset);
  } else {
    out.push_back(static_cast<char>(k_version_1));
  }
  put_string(out, snapshot.name);
  put_u64(out, snapshot.count);
  put_u64(out, snapshot.total);
  put_string(out, meta.content_type);
  put_flag(out, meta.ttl_seconds.has_value());
  put_u64(out, meta.ttl_seconds.value_or(0));
  put_flag(out, meta.expires_at.has_value());
  put_string(out, meta.expires_at.value_or(std::string()));
  put_flag(out, meta.expires_at_ms.has_value());
  put_u64(out, static_cast<std::uint64_t>(meta.expires_at_ms.value_or(0)));
  put_flag(out, meta.closed);
  put_string(out, meta.closed_by);
  put_string(out, meta.last_stream_seq);
  put_u64(out, meta.producers.size());
  for (const auto& [id, producer] : meta.producers) {
    put_string(out, id);
    put_u64(out, producer.epoch);
    put_u64(out, producer.seq);
  }
  put_string(out, meta.forked_from);
  put_u64(out, meta.fork_offset);
  put_u64(out, meta.tail);
  put_u64(out, meta.fork_count);
  put_flag(out, meta.soft_deleted);
  put_u64(out, static_cast<std::uint64_t>(meta.created_ms));
  return out;
}

std::optional<Snapshot> decode_snapshot(std::string_view payload)
{
  return SnapshotReader(payload).read();
}

bool snapshot_anchor(const char* bytes, std::uint64_t offset)
{
  return static_cast<unsigned char>(bytes[8]) == static_cast<unsigned char>(FrameType::meta) &&
         static_cast<unsigned char>(bytes[k_frame_header]) == k_version_2 &&
         get_u64(bytes + k_frame_header + 1) == offset;
}

} // namespace store::codec
