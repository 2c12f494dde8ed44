// The byte-level primitives of the trace format: LEB128 varints, zigzag for
// signed deltas, length-prefixed byte strings. The decoder checks every length
// against the bytes left, so hostile input can never read out of bounds.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace ft::codec {

inline uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32le(uint32_t v) {
    char b[4] = {char(v), char(v >> 8), char(v >> 16), char(v >> 24)};
    out_.append(b, 4);
  }
  void varint(uint64_t v) {
    char b[10];
    size_t n = 0;
    while (v >= 0x80) {
      b[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    b[n++] = static_cast<char>(v);
    out_.append(b, n);
  }
  void svarint(int64_t v) { varint(zigzag(v)); }
  void bytes(std::string_view s) {
    varint(s.size());
    out_.append(s.data(), s.size());
  }
  void strings(const std::vector<std::string>& list) {
    varint(list.size());
    for (const std::string& s : list) bytes(s);
  }

 private:
  std::string& out_;
};

class Decoder {
 public:
  Decoder(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  bool ok() const { return ok_; }
  size_t left() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* position() const { return p_; }

  uint8_t u8() {
    if (!need(1)) return 0;
    return *p_++;
  }
  uint32_t u32le() {
    if (!need(4)) return 0;
    uint32_t v = uint32_t(p_[0]) | uint32_t(p_[1]) << 8 | uint32_t(p_[2]) << 16 | uint32_t(p_[3]) << 24;
    p_ += 4;
    return v;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!need(1)) return 0;
      uint8_t b = *p_++;
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    ok_ = false;  // more than 10 bytes: not a varint
    return 0;
  }
  int64_t svarint() { return unzigzag(varint()); }
  void bytes(std::string& out) {
    uint64_t n = varint();
    if (!need(n)) return;
    out.assign(reinterpret_cast<const char*>(p_), n);
    p_ += n;
  }
  void strings(std::vector<std::string>& out) {
    uint64_t n = varint();
    // Each string takes at least its length byte, which bounds n by the input.
    if (!need(n)) return;
    out.resize(n);
    for (auto& s : out) bytes(s);
  }

 private:
  bool need(uint64_t n) {
    if (!ok_ || n > left()) {
      ok_ = false;
      return false;
    }
    return true;
  }

  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

}  // namespace ft::codec
