#include "recording/trace_file.h"

#include <zlib.h>

#include "recording/codec.h"

namespace ft::trace_file {

uint32_t crc32(const void* data, size_t size) {
  return static_cast<uint32_t>(::crc32_z(0, static_cast<const Bytef*>(data), size));
}

std::string encode_prefix(const TraceHeader& h) {
  std::string header;
  codec::Encoder e(header);
  e.bytes(h.hostname);
  e.bytes(h.kernel_release);
  e.varint(h.started_ns);
  e.svarint(h.realtime_offset_ns);
  e.varint(h.flags);
  e.strings(h.command);
  e.strings(h.traced_command);
  e.varint(h.seeds.size());
  for (const SeedProcess& s : h.seeds) {
    e.varint(s.pid);
    e.varint(s.ppid);
    e.varint(s.start_ns);
    e.varint(s.cgroup_id);
    e.bytes(s.comm);
    e.bytes(s.filename);
    e.strings(s.argv);
    e.bytes(s.job);
  }
  e.bytes(h.boot_id);
  std::string out(kMagic, sizeof kMagic);
  codec::Encoder p(out);
  p.u32le(kTraceFormatVersion);  // h.version is what a reader found
  p.u32le(static_cast<uint32_t>(header.size()));
  out += header;
  p.u32le(crc32(header.data(), header.size()));
  return out;
}

bool decode_header(const uint8_t* data, size_t size, TraceHeader& h) {
  codec::Decoder d(data, size);
  d.bytes(h.hostname);
  d.bytes(h.kernel_release);
  h.started_ns = d.varint();
  h.realtime_offset_ns = d.svarint();
  h.flags = static_cast<uint32_t>(d.varint());
  d.strings(h.command);
  d.strings(h.traced_command);
  uint64_t seeds = d.varint();
  if (!d.ok() || seeds > d.left()) return false;
  h.seeds.resize(seeds);
  for (SeedProcess& s : h.seeds) {
    s.pid = static_cast<uint32_t>(d.varint());
    s.ppid = static_cast<uint32_t>(d.varint());
    s.start_ns = d.varint();
    s.cgroup_id = d.varint();
    d.bytes(s.comm);
    d.bytes(s.filename);
    d.strings(s.argv);
    d.bytes(s.job);
  }
  // Version 3 files written before the boot ID was added end without it.
  if (h.version >= 3 && d.left() > 0) d.bytes(h.boot_id);
  return d.ok() && d.left() == 0;
}

void append_frame(std::string& out, const std::string& body) {
  codec::Encoder e(out);
  e.varint(body.size());
  out += body;
  e.u32le(crc32(body.data(), body.size()));
}

}  // namespace ft::trace_file
