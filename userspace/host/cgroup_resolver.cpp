#include "host/cgroup_resolver.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>

namespace ft {
namespace {

constexpr size_t kMaxCgroups = 1 << 18;  // bounds the cache and each scan
constexpr int kMaxDepth = 32;

}  // namespace

CgroupResolver::CgroupResolver(std::string mount) : mount_(std::move(mount)) {}

const std::string& CgroupResolver::path(uint64_t id, uint64_t now_ns) {
  static const std::string unknown;
  if (id == 0 || mount_.empty()) return unknown;
  if (auto it = paths_.find(id); it != paths_.end()) return it->second;
  bool newer = id > highest_id_;
  if (newer || !scanned_ || now_ns - last_scan_ns_ >= 1'000'000'000) {
    highest_id_ = std::max(highest_id_, id);  // one rescan per new id, found or not
    last_scan_ns_ = now_ns;
    scanned_ = true;
    rescan();
    if (auto it = paths_.find(id); it != paths_.end()) return it->second;
  }
  return unknown;
}

void CgroupResolver::rescan() {
  paths_.clear();
  entries_ = 0;
  scan(mount_, "", 0);
}

void CgroupResolver::scan(const std::string& dir, const std::string& relative, int depth) {
  struct stat st;
  if (depth > kMaxDepth || entries_ >= kMaxCgroups || stat(dir.c_str(), &st) != 0) return;
  paths_[st.st_ino] = relative.empty() ? "/" : relative;
  highest_id_ = std::max<uint64_t>(highest_id_, st.st_ino);
  entries_++;
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = readdir(d)) {
    if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
    scan(dir + "/" + e->d_name, relative + "/" + e->d_name, depth + 1);
  }
  closedir(d);
}

}  // namespace ft
