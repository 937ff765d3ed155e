#pragma once
// The bytes of the disk store's log (the layout is described in disk_store.hpp): CRC-32C,
// frames of [u32 length][u32 crc32c][u8 type][payload], little-endian, the CRC over length,
// type and payload, and the metadata snapshots that frames of type meta hold. Pure functions
// over memory, no I/O: the decoders take untrusted bytes and bound every size and count by the
// bytes that are there.

#include "store/store.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace store::codec {

/// CRC-32C (Castagnoli) of DATA continuing from CRC (0 to start).
std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t size);

inline constexpr std::size_t k_frame_header = 9; ///< u32 length, u32 crc, u8 type

enum class FrameType : unsigned char { data = 1, meta = 2 };

/// Appends a frame of TYPE holding PAYLOAD (less than 4 GiB) to OUT.
void append_frame(std::string& out, FrameType type, std::string_view payload);

struct FrameHeader {
  std::uint32_t length = 0;
  std::uint32_t crc = 0;
  unsigned char type = 0;
};

/// The header in the k_frame_header bytes at BYTES.
FrameHeader read_frame_header(const char* bytes);

/// Whether HEADER and PAYLOAD (HEADER.length bytes) form a valid frame: the CRC matches and
/// the type is known.
bool frame_valid(const FrameHeader& header, std::string_view payload);

/// Whether HEADER's CRC and type would be right if its length were PAYLOAD's size: true when
/// only the length field of a complete frame was damaged.
bool frame_valid_with_length(const FrameHeader& header, std::string_view payload);

/// One frame decoded from the start of a buffer.
struct Frame {
  enum class Status { ok, short_header, short_payload, bad_crc, bad_type };
  Status status = Status::short_header;
  FrameHeader header;
  std::string_view payload; ///< when the whole frame is there
  std::size_t size = 0;     ///< header and payload, when the whole frame is there
};

/// The frame at the start of BYTES.
Frame decode_frame(std::string_view bytes);

/// A metadata snapshot: what a group commit writes after a stream's records.
struct Snapshot {
  std::string name;
  std::uint64_t count = 0;             ///< records of the generation up to the snapshot
  std::uint64_t total = 0;             ///< their bytes
  std::optional<std::uint64_t> offset; ///< where its frame starts in its segment (version 2)
  StreamMeta meta;
  bool operator==(const Snapshot&) const = default;
};

/// SNAPSHOT as a frame payload: version 2 when it has an offset, else version 1.
std::string encode_snapshot(const Snapshot& snapshot);

/// The snapshot in PAYLOAD; nullopt unless it is exactly what encode_snapshot writes.
std::optional<Snapshot> decode_snapshot(std::string_view payload);

/// The bytes snapshot_anchor looks at.
inline constexpr std::size_t k_snapshot_anchor = k_frame_header + 1 + 8;

/// Whether the k_snapshot_anchor bytes at BYTES could start a version 2 snapshot frame written
/// at OFFSET of its segment: a cheap test for finding commit points past damage, which
/// frame_valid and decode_snapshot then confirm.
bool snapshot_anchor(const char* bytes, std::uint64_t offset);

} // namespace store::codec
