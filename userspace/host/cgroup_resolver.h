// cgroup v2 ids (what BPF reads: the kernfs inode of the cgroup's directory)
// to paths such as /system.slice/x.service, relative to the v2 mount.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace ft {

class CgroupResolver {
 public:
  // `mount`: find_cgroup2_mount() (host/proc.h).
  explicit CgroupResolver(std::string mount);
  // The path of `id`, "" when unknown. A miss rescans the hierarchy: at once
  // for an id above every id seen so far (kernfs numbers new cgroups upwards:
  // a container's, made a moment before its first process moved in), else
  // at most once a second, so a storm of unknown ids costs no more than that.
  const std::string& path(uint64_t id, uint64_t now_ns);

 private:
  void rescan();
  void scan(const std::string& dir, const std::string& relative, int depth);

  std::string mount_;
  std::unordered_map<uint64_t, std::string> paths_;
  uint64_t last_scan_ns_ = 0;
  uint64_t highest_id_ = 0;  // the highest id scanned or asked for
  bool scanned_ = false;
  size_t entries_ = 0;
};

}  // namespace ft
