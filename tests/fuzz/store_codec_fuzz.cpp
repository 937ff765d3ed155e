// libFuzzer target: the disk store's log codec (lib/store/log_codec.hpp) on untrusted bytes.
// The input is read as a segment (frames one after another) and, whole, as a snapshot
// payload. Nothing may crash or read out of bounds; a valid frame re-encodes to its bytes; a
// snapshot that decodes re-encodes to exactly its payload and decodes again to itself.

#include "store/log_codec.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace store::codec;

void check(bool condition)
{
  if (!condition) {
    std::abort();
  }
}

void snapshot(std::string_view payload)
{
  const auto decoded = decode_snapshot(payload);
  if (!decoded) {
    return;
  }
  const std::string encoded = encode_snapshot(*decoded);
  check(encoded == payload);
  check(decode_snapshot(encoded) == decoded);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  snapshot(bytes);
  for (std::size_t p = 0; p + k_snapshot_anchor <= bytes.size(); ++p) {
    (void)snapshot_anchor(bytes.data() + p, p);
  }
  std::size_t off = 0;
  while (off < bytes.size()) {
    const Frame frame = decode_frame(bytes.substr(off));
    if (frame.status == Frame::Status::short_header) {
      break;
    }
    if (frame.status == Frame::Status::short_payload) {
      // What recovery asks of a frame that runs past the end: would it fit the rest?
      (void)frame_valid_with_length(frame.header, bytes.substr(off + k_frame_header));
      break;
    }
    check(frame.size == k_frame_header + frame.payload.size());
    check(frame_valid(frame.header, frame.payload) == (frame.status == Frame::Status::ok));
    if (frame.status == Frame::Status::ok) {
      check(frame_valid_with_length(frame.header, frame.payload));
      std::string again;
      append_frame(again, static_cast<FrameType>(frame.header.type), frame.payload);
      check(again == bytes.substr(off, frame.size));
      if (frame.header.type == static_cast<unsigned char>(FrameType::meta)) {
        snapshot(frame.payload);
      }
    }
    off += frame.size;
  }
  return 0;
}
