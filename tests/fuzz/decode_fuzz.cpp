// libFuzzer target: arbitrary bytes as a kernel record.
#include <cstddef>
#include <cstdint>

#include "core/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ft::Event event;
  ft::decode_record(data, size, event);
  return 0;
}
