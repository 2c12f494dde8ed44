// Kernel records (bpf/forktrace.h) to Events. Checks every size it reads, so
// a short or malformed record is an error, never an out-of-bounds read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"

namespace ft {

enum class DecodeError { none, too_short, unknown_kind, bad_size };

// What argv reassembly (core/argv_assembly.h) needs from an exec record: argv
// may go on in FT_RECORD_ARGS records beyond the record's own bytes.
struct ExecArgs {
  uint64_t key = 0;
  uint32_t total = 0;      // argv bytes the kernel sent in all
  std::string_view first;  // the record's own argv bytes (offset 0)
  bool cut = false;        // the kernel cut argv at its bound or could not read it
};

// One FT_RECORD_ARGS record: a piece of an exec's argv.
struct ArgsPiece {
  uint32_t tid = 0;
  uint64_t key = 0;
  uint32_t offset = 0;
  std::string_view bytes;
};

// An exec record's argv is what the record itself holds (argv_truncated
// where more was sent in FT_RECORD_ARGS records); `args` gets what joining
// them needs. An FT_RECORD_ARGS record is `unknown_kind` here: see
// decode_args_piece and RecordAssembler.
DecodeError decode_record(const void* data, size_t size, Event& out, ExecArgs* args = nullptr);
DecodeError decode_args_piece(const void* data, size_t size, ArgsPiece& out);
// The record's kind, or 0 when it is shorter than its head.
uint32_t record_kind(const void* data, size_t size);

// NUL-separated strings; a last string without its NUL (truncation) is kept.
std::vector<std::string> split_nul(const char* data, size_t size);
// A path from its dentry names leaf first ("gcc\0bin\0usr\0" → "/usr/bin/gcc").
std::string path_from_components(const char* data, size_t size);

std::string_view describe(DecodeError error);

}  // namespace ft
