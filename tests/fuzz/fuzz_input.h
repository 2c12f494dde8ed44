// Reading a libFuzzer input as a sequence of small values: what the targets
// beyond the byte parsers use to turn arbitrary bytes into calls.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ft::fuzz {

class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  // The next `n` bytes as an integer (little-endian), 0 past the end.
  uint64_t number(size_t n) {
    uint64_t out = 0;
    for (size_t i = 0; i < n && pos_ < size_; ++i) out |= uint64_t{data_[pos_++]} << (8 * i);
    return out;
  }
  // The next string: a length byte, then that many bytes (fewer at the end).
  std::string_view bytes() {
    size_t n = static_cast<size_t>(number(1));
    return take(n);
  }
  std::string_view take(size_t n) {
    n = std::min(n, size_ - pos_);
    std::string_view out(reinterpret_cast<const char*>(data_) + pos_, n);
    pos_ += n;
    return out;
  }
  std::string_view rest() { return take(size_ - pos_); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace ft::fuzz
