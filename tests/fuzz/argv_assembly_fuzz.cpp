// libFuzzer target: argv reassembly (core/argv_assembly.h). The input is a
// sequence of operations: argv pieces and exec records for a few threads and
// keys, in any order, with any offsets and totals. Byte 0's low bit picks
// the level: ArgvAssembler's calls directly, or whole kernel records through
// RecordAssembler (decode and join). Checked: what comes back never exceeds
// the exec's total, is whole unless `truncated` says otherwise, and the
// pending pieces stay under their bound.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/argv_assembly.h"
#include "fuzz_input.h"

extern "C" {
#include "forktrace.h"
}

namespace {

constexpr size_t kMaxPendingBytes = 64u << 20;  // core/argv_assembly.cpp's bound

void check(bool ok) {
  if (!ok) std::abort();
}

// An FT_RECORD_ARGS record.
std::string args_record(uint32_t tid, uint64_t key, uint32_t offset, std::string_view bytes) {
  ft_args_record r{};
  r.head.kind = FT_RECORD_ARGS;
  r.head.size = static_cast<uint32_t>(sizeof r + bytes.size());
  r.args_key = key;
  r.pid = tid;
  r.tid = tid;
  r.offset = offset;
  r.len = static_cast<uint32_t>(bytes.size());
  std::string out(reinterpret_cast<const char*>(&r), sizeof r);
  out.append(bytes);
  return out;
}

// An FT_RECORD_EXEC record whose argv is `first`, of `total` bytes in all.
std::string exec_record(uint32_t tid, uint64_t key, uint32_t total, uint16_t flags, std::string_view first) {
  ft_exec_record r{};
  r.head.kind = FT_RECORD_EXEC;
  const char filename[] = "/bin/x";
  r.head.size = static_cast<uint32_t>(sizeof r + sizeof filename + first.size());
  r.args_key = key;
  r.pid = tid;
  r.tid = tid;
  r.old_tid = tid;
  r.args_total = total;
  r.filename_len = sizeof filename;
  r.args_len = static_cast<uint16_t>(first.size());
  r.flags = flags;
  std::string out(reinterpret_cast<const char*>(&r), sizeof r);
  out.append(filename, sizeof filename);
  out.append(first);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ft::fuzz::Input in(data, size);
  bool records = in.number(1) & 1;
  ft::ArgvAssembler argv;
  ft::RecordAssembler assembler;
  while (!in.empty()) {
    uint8_t op = static_cast<uint8_t>(in.number(1));
    uint32_t tid = 1 + (op >> 1) % 4;  // a few threads, so pieces meet
    uint64_t key = in.number(1) % 3;
    if (op & 1) {
      uint32_t offset = static_cast<uint32_t>(in.number(2));
      std::string_view bytes = in.bytes();
      if (records) {
        std::string r = args_record(tid, key, offset, bytes);
        ft::Event e;
        bool complete = true;
        check(assembler.feed(r.data(), r.size(), e, complete) == ft::DecodeError::none && !complete);
      } else {
        argv.add(ft::ArgsPiece{tid, key, offset, bytes});
        check(argv.pending_bytes() <= kMaxPendingBytes);
      }
    } else {
      uint32_t total = static_cast<uint32_t>(in.number(2));
      uint16_t flags = static_cast<uint16_t>(in.number(1));
      std::string_view first = in.bytes();
      if (records) {
        std::string r = exec_record(tid, key, total, flags, first);
        ft::Event e;
        bool complete = false;
        check(assembler.feed(r.data(), r.size(), e, complete) == ft::DecodeError::none && complete);
        size_t joined = 0;
        for (const std::string& word : e.argv) joined += word.size() + 1;
        check(joined <= std::max<size_t>(total, first.size()) + 1);
        if (!e.argv_truncated && !(flags & (FT_EXEC_ARGS_TRUNCATED | FT_EXEC_ARGS_LOST)))
          check(total <= first.size() || joined >= total);
      } else {
        bool truncated = false;
        std::string out = argv.take(tid, key, first, total, truncated);
        check(out.size() <= total);
        check(truncated || out.size() == total);
        check(out.compare(0, std::min<size_t>(first.size(), out.size()), first.substr(0, out.size())) == 0);
        // The pieces it used are forgotten: a second take finds none.
        bool again = false;
        std::string second = argv.take(tid, key, "", total, again);
        check(total == 0 || (again && second.empty()));
      }
    }
  }
  return 0;
}
