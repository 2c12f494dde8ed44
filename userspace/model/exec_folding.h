// Folding a PATH search: a shell (dash, execvp) tries each PATH directory in
// turn, and every miss is an exec_failed event. A miss that a later exec of
// the same name in the same process satisfied is noise; one that nothing
// satisfied (the `exit 127` case) is the news. Pure, and generic over what a
// view keeps per attempt (a formatted line, a model record).
#pragma once

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <string>
#include <tuple>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ft {

// "/usr/local/bin/cc" and "/usr/bin/cc" are the same command: the name is
// what follows the last slash.
inline std::string_view command_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

template <typename Attempt>
class ExecMissFolder {
 public:
  struct Outcome {
    size_t folded = 0;               // misses the exec satisfied
    std::vector<Attempt> unsatisfied;  // the others, in the order they happened
  };

  // A failed attempt of `filename` by process `pid`, kept until that process
  // execs or exits.
  void add(uint32_t pid, std::string_view filename, Attempt attempt) {
    pending_[pid].push_back(Entry{std::string(command_name(filename)), next_seq_++, std::move(attempt)});
    count_++;
  }

  // Process `pid` executed `filename`.
  Outcome on_exec(uint32_t pid, std::string_view filename) {
    Outcome out;
    auto it = pending_.find(pid);
    if (it == pending_.end()) return out;
    std::string_view name = command_name(filename);
    for (Entry& entry : it->second) {
      if (entry.name == name)
        out.folded++;
      else
        out.unsatisfied.push_back(std::move(entry.attempt));
    }
    count_ -= it->second.size();
    pending_.erase(it);
    return out;
  }

  // Process `pid` ended: nothing will satisfy its attempts any more.
  std::vector<Attempt> on_exit(uint32_t pid) {
    std::vector<Attempt> out;
    auto it = pending_.find(pid);
    if (it == pending_.end()) return out;
    for (Entry& entry : it->second) out.push_back(std::move(entry.attempt));
    count_ -= it->second.size();
    pending_.erase(it);
    return out;
  }

  // The end of the trace: every attempt still waiting, in the order they happened.
  std::vector<std::pair<uint32_t, Attempt>> drain() {
    std::vector<std::tuple<uint64_t, uint32_t, Attempt*>> all;
    for (auto& [pid, list] : pending_)
      for (Entry& entry : list) all.emplace_back(entry.seq, pid, &entry.attempt);
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    std::vector<std::pair<uint32_t, Attempt>> out;
    for (auto& [seq, pid, attempt] : all) out.emplace_back(pid, std::move(*attempt));
    pending_.clear();
    count_ = 0;
    return out;
  }

  bool holds(uint32_t pid) const { return pending_.count(pid) != 0; }
  size_t size() const { return count_; }

 private:
  struct Entry {
    std::string name;
    uint64_t seq;
    Attempt attempt;
  };
  std::unordered_map<uint32_t, std::vector<Entry>> pending_;
  size_t count_ = 0;
  uint64_t next_seq_ = 0;
};

}  // namespace ft
