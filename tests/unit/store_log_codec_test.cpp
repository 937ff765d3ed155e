// store::codec: frames and snapshots round-trip; the decoders refuse anything the encoder does
// not write (so a decoded snapshot re-encodes to its bytes) and bound sizes and counts by the
// bytes there; the snapshot anchor finds a snapshot by its recorded offset. Also keeps the
// fuzz target's seeds (tests/fuzz/corpus/store_codec_fuzz/) current: with
// SSE_WRITE_FUZZ_SEEDS=1 it writes them.

#include "store/log_codec.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

namespace {

namespace fs = std::filesystem;
using namespace store::codec;

Snapshot sample(std::optional<std::uint64_t> offset)
{
  Snapshot s;
  s.name = "a/stream";
  s.count = 2;
  s.total = 11;
  s.offset = offset;
  s.meta.content_type = "application/json";
  s.meta.ttl_seconds = 60;
  s.meta.expires_at = "2030-01-01T00:00:00Z";
  s.meta.expires_at_ms = 1893456000000;
  s.meta.closed = true;
  s.meta.closed_by = "p 1 2";
  s.meta.last_stream_seq = "7";
  s.meta.producers["p"] = store::Producer{1, 2};
  s.meta.producers["q"] = store::Producer{3, 4};
  s.meta.forked_from = "source";
  s.meta.fork_offset = 5;
  s.meta.tail = 16;
  s.meta.fork_count = 1;
  s.meta.created_ms = 1700000000000;
  return s;
}

/// A segment as the store writes one: two records and the snapshot that commits them.
std::string segment()
{
  std::string out;
  append_frame(out, FrameType::data, "[1,2]");
  append_frame(out, FrameType::data, "{\"a\":3}");
  Snapshot s = sample(out.size());
  s.total = 12;
  append_frame(out, FrameType::meta, encode_snapshot(s));
  return out;
}

std::map<std::string, std::string> seeds()
{
  std::string damaged = segment();
  damaged[12] = static_cast<char>(damaged[12] ^ 1);
  const std::string whole = segment();
  return {{"segment.log", whole},
          {"torn.log", whole.substr(0, whole.size() - 20)},
          {"damaged.log", damaged},
          {"snapshot-v1.bin", encode_snapshot(sample(std::nullopt))},
          {"snapshot-v2.bin", encode_snapshot(sample(std::uint64_t{30}))}};
}

TEST(LogCodec, FramesRoundTrip)
{
  const std::string bytes = segment();
  std::size_t off = 0;
  std::size_t frames = 0;
  while (off < bytes.size()) {
    const Frame frame = decode_frame(std::string_view(bytes).substr(off));
    ASSERT_EQ(frame.status, Frame::Status::ok) << off;
    if (frame.header.type == static_cast<unsigned char>(FrameType::meta)) {
      const auto s = decode_snapshot(frame.payload);
      ASSERT_TRUE(s);
      EXPECT_EQ(s->offset, off);
      EXPECT_TRUE(snapshot_anchor(bytes.data() + off, off));
      EXPECT_FALSE(snapshot_anchor(bytes.data() + off, off + 1));
    }
    off += frame.size;
    ++frames;
  }
  EXPECT_EQ(frames, 3u);
  EXPECT_EQ(decode_frame(std::string_view(bytes).substr(0, 8)).status,
            Frame::Status::short_header);
  EXPECT_EQ(decode_frame(std::string_view(bytes).substr(0, 12)).status,
            Frame::Status::short_payload);
  std::string bad = bytes;
  bad[10] = 'X';
  EXPECT_EQ(decode_frame(bad).status, Frame::Status::bad_crc);
  bad = bytes;
  bad[8] = 7;
  EXPECT_EQ(decode_frame(bad).status, Frame::Status::bad_type);
}

TEST(LogCodec, ADamagedLengthIsToldFromATornFrame)
{
  std::string frame;
  append_frame(frame, FrameType::data, "hello");
  auto header = read_frame_header(frame.data());
  const std::string_view payload(frame.data() + k_frame_header, 5);
  EXPECT_TRUE(frame_valid(header, payload));
  header.length = 0x01000005;
  EXPECT_FALSE(frame_valid(header, payload));
  EXPECT_TRUE(frame_valid_with_length(header, payload));
  EXPECT_FALSE(frame_valid_with_length(header, payload.substr(0, 4)));
}

TEST(LogCodec, SnapshotsRoundTripInBothVersions)
{
  for (const auto offset : {std::optional<std::uint64_t>(), std::optional<std::uint64_t>(99)}) {
    const Snapshot s = sample(offset);
    const std::string bytes = encode_snapshot(s);
    const auto back = decode_snapshot(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, s);
    EXPECT_EQ(encode_snapshot(*back), bytes);
  }
  EXPECT_TRUE(decode_snapshot(encode_snapshot(Snapshot{})));
}

TEST(LogCodec, SnapshotDecoderRefusesWhatTheEncoderNeverWrites)
{
  const std::string good = encode_snapshot(sample(std::uint64_t{0}));
  EXPECT_FALSE(decode_snapshot(""));
  EXPECT_FALSE(decode_snapshot(good + "x")) << "trailing bytes";
  EXPECT_FALSE(decode_snapshot(good.substr(0, good.size() - 1))) << "short";
  std::string version = good;
  version[0] = 3;
  EXPECT_FALSE(decode_snapshot(version));
  // Every byte changed somewhere either fails or decodes to something that re-encodes to it.
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (const char value : {'\x00', '\x02', '\xff'}) {
      std::string changed = good;
      changed[i] = value;
      if (const auto s = decode_snapshot(changed)) {
        EXPECT_EQ(encode_snapshot(*s), changed) << i;
      }
    }
  }
}

TEST(LogCodec, CountsAndSizesAreBoundedByTheBytes)
{
  // A name claiming 2^63 bytes, and a producer count of 2^60, in a few dozen bytes.
  Snapshot s;
  std::string bytes = encode_snapshot(s);
  std::string huge_name = bytes;
  huge_name[8] = static_cast<char>(0x80); // the name's size, high byte (version 1)
  EXPECT_FALSE(decode_snapshot(huge_name));
  s.meta.producers["p"] = store::Producer{};
  bytes = encode_snapshot(s);
  const std::size_t count_at = bytes.find(std::string("\x01\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0p", 17));
  ASSERT_NE(count_at, std::string::npos);
  bytes[count_at + 7] = 0x10;
  EXPECT_FALSE(decode_snapshot(bytes));
}

TEST(LogCodec, FuzzSeedsAreCurrent)
{
  const fs::path dir = fs::path(SSE_TEST_DATA) / ".." / "fuzz" / "corpus" / "store_codec_fuzz";
  const bool write = std::getenv("SSE_WRITE_FUZZ_SEEDS") != nullptr;
  for (const auto& [name, bytes] : seeds()) {
    if (write) {
      fs::create_directories(dir);
      std::ofstream(dir / name, std::ios::binary) << bytes;
    }
    std::ifstream in(dir / name, std::ios::binary);
    const std::string got{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    EXPECT_EQ(got, bytes) << name << ": run with SSE_WRITE_FUZZ_SEEDS=1 to write it";
  }
}

} // namespace
