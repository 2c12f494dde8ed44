// The fixed parts of a trace file (docs/trace-format.md): the magic, the
// header's encoding, and frames (varint length, body, CRC-32 of the body).
#pragma once

#include <cstdint>
#include <string>

#include "recording/trace_header.h"

namespace ft::trace_file {

constexpr char kMagic[8] = {'F', 'R', 'K', 'T', 'R', 'A', 'C', 'E'};
constexpr size_t kPrefixSize = 16;               // magic, version, header length
constexpr uint64_t kMaxBody = 1 << 20;           // no record comes near this
constexpr uint64_t kMaxHeader = 256ull << 20;    // seeds of a huge machine fit

// The magic, version, header and its CRC.
std::string encode_prefix(const TraceHeader& header);
// Appends one frame holding `body`.
void append_frame(std::string& out, const std::string& body);
uint32_t crc32(const void* data, size_t size);
// False when the header bytes are malformed.
// `header.version` says which fields are there.
bool decode_header(const uint8_t* data, size_t size, TraceHeader& header);

}  // namespace ft::trace_file
