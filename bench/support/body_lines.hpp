// What the C++ bench clients (durable/dsbench.cpp, fanout/subscriber.cpp) share: a response
// body taken apart into lines as it arrives, whole or chunked, one state per connection.
// Header-only, so that each bench still builds from one command (-I bench).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace bench {

class BodyLines {
public:
  /// A line longer than MAX_LINE bytes is dropped and counted as a protocol error.
  explicit BodyLines(size_t max_line) : max_line_(max_line) {}

  /// Bytes of a body not chunked: ON_LINE(const char*, size_t) for each whole line, without
  /// its '\n' (a line split across reads is kept until its end comes). Increments ERRORS for
  /// each line over the bound.
  template <typename OnLine>
  void feed(const char* p, size_t n, int64_t& errors, OnLine&& on_line) {
    while (n) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', n));
      if (!nl) {
        line_.append(p, n);
        if (line_.size() > max_line_) {
          ++errors;
          line_.clear();
        }
        return;
      }
      size_t len = size_t(nl - p);
      if (line_.empty()) {
        on_line(p, len);
      } else {
        line_.append(p, len);
        on_line(line_.data(), line_.size());
        line_.clear();
      }
      p = nl + 1;
      n -= len + 1;
    }
  }

  /// Bytes of a chunked body, decoded and passed to feed(); returns false at the last chunk
  /// (the response ended) or a chunk size that is not hex (an error counted in ERRORS).
  template <typename OnLine>
  bool feed_chunked(const char* p, size_t n, int64_t& errors, OnLine&& on_line) {
    while (n) {
      switch (chunk_) {
        case SIZE: {
          const char* nl = static_cast<const char*>(std::memchr(p, '\n', n));
          size_t len = nl ? size_t(nl - p) : n;
          size_line_.append(p, len);
          if (!nl) return true;
          p += len + 1;
          n -= len + 1;
          char* end = nullptr;
          chunk_left_ = std::strtoull(size_line_.c_str(), &end, 16);
          if (end == size_line_.c_str()) {
            ++errors;
            return false;
          }
          size_line_.clear();
          if (chunk_left_ == 0) {
            chunk_ = TRAILER;
            return false;
          }
          chunk_ = DATA;
          break;
        }
        case DATA: {
          size_t take = size_t(std::min<uint64_t>(chunk_left_, n));
          feed(p, take, errors, on_line);
          p += take;
          n -= take;
          chunk_left_ -= take;
          if (chunk_left_ == 0) chunk_ = DATA_END;
          break;
        }
        case DATA_END: {  // the CRLF after the chunk's data
          const char* nl = static_cast<const char*>(std::memchr(p, '\n', n));
          if (!nl) return true;
          n -= size_t(nl - p) + 1;
          p = nl + 1;
          chunk_ = SIZE;
          break;
        }
        case TRAILER:
          return false;
      }
    }
    return true;
  }

private:
  size_t max_line_;
  enum { SIZE, DATA, DATA_END, TRAILER } chunk_ = SIZE;
  uint64_t chunk_left_ = 0;
  std::string size_line_;
  std::string line_;  // a body line split across reads
};

}  // namespace bench
