// libFuzzer target: arbitrary bytes as a recording. The reader must report
// damage, never crash, read out of bounds or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <string>

#include "recording/trace_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string error;
  auto reader = ft::TraceReader::from_memory(std::string(reinterpret_cast<const char*>(data), size), error);
  if (!reader) return 0;
  ft::Event event;
  while (reader->next(event) == ft::TraceReader::Status::event) {
  }
  return 0;
}
