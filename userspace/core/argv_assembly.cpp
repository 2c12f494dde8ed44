#include "core/argv_assembly.h"

extern "C" {
#include "forktrace.h"
}

namespace ft {
namespace {

// Pieces whose exec record never came (lost) must not pile up for good.
constexpr size_t kMaxPendingBytes = 64u << 20;

}  // namespace

void ArgvAssembler::forget(std::unordered_map<uint32_t, Pending>::iterator it) {
  for (const auto& [offset, bytes] : it->second.pieces) bytes_ -= bytes.size();
  by_tid_.erase(it);
}

void ArgvAssembler::add(const ArgsPiece& piece) {
  auto it = by_tid_.find(piece.tid);
  if (it != by_tid_.end() && it->second.key != piece.key) {
    forget(it);
    it = by_tid_.end();
  }
  if (bytes_ + piece.bytes.size() > kMaxPendingBytes) {
    by_tid_.clear();
    bytes_ = 0;
    it = by_tid_.end();
  }
  if (it == by_tid_.end()) it = by_tid_.emplace(piece.tid, Pending{piece.key, {}}).first;
  auto [slot, added] = it->second.pieces.try_emplace(piece.offset, piece.bytes);
  if (added) bytes_ += piece.bytes.size();
}

std::string ArgvAssembler::take(uint32_t tid, uint64_t key, std::string_view first, uint32_t total,
                                bool& truncated) {
  std::string out(first.substr(0, total));
  auto it = by_tid_.find(tid);
  const std::map<uint32_t, std::string>* pieces =
      it != by_tid_.end() && it->second.key == key ? &it->second.pieces : nullptr;
  while (out.size() < total) {
    auto piece = pieces ? pieces->find(static_cast<uint32_t>(out.size())) : decltype(pieces->end()){};
    if (!pieces || piece == pieces->end() || piece->second.empty()) {
      truncated = true;  // a piece was lost: argv ends at the gap
      break;
    }
    out.append(piece->second, 0, total - out.size());
  }
  if (it != by_tid_.end()) forget(it);
  return out;
}

DecodeError RecordAssembler::feed(const void* data, size_t size, Event& out, bool& complete) {
  complete = false;
  if (record_kind(data, size) == FT_RECORD_ARGS) {
    ArgsPiece piece;
    DecodeError error = decode_args_piece(data, size, piece);
    if (error == DecodeError::none) argv_.add(piece);
    return error;
  }
  ExecArgs args;
  DecodeError error = decode_record(data, size, out, &args);
  if (error != DecodeError::none) return error;
  if (out.kind == EventKind::exec && args.total > args.first.size()) {
    bool truncated = args.cut;
    std::string bytes = argv_.take(out.tid, args.key, args.first, args.total, truncated);
    out.argv = split_nul(bytes.data(), bytes.size());
    out.argv_truncated = truncated;
  }
  complete = true;
  return DecodeError::none;
}

}  // namespace ft
