// Which container a process runs in, from its cgroup path: every runtime
// puts a container's processes in a cgroup named after the container's ID.
// Pure string work; the cgroup path comes from host/cgroup_resolver.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ft {

struct Container {
  std::string id;       // the runtime's full ID (64 hex digits for OCI runtimes)
  std::string runtime;  // "docker", "containerd", "cri-o", "podman", "cri" (a Kubernetes
                        // runtime the path does not name); "" unknown
  std::string pod_uid;  // the Kubernetes pod's UID where the path names it, else ""
  bool operator==(const Container&) const = default;
  // The 12-digit form `docker ps` and `podman ps` print.
  std::string_view short_id() const { return std::string_view(id).substr(0, 12); }
};

// The container of a process in cgroup `path` (v2, or any v1 hierarchy's
// path), or nothing for a process outside containers. The innermost
// container-named component wins (a container's own sub-cgroups, such as a
// systemd container's init.scope, are its). Runtime helpers beside the
// container (conmon, the shim) are not in it.
std::optional<Container> container_from_cgroup(std::string_view path);

// container_from_cgroup() once per cgroup: what every event of a process
// pays is one lookup by cgroup ID. Null outside containers.
class ContainerCache {
 public:
  std::shared_ptr<const Container> of(uint64_t cgroup_id, const std::string& path);

 private:
  static constexpr size_t kMaxCgroups = 1 << 16;  // a long trace's cgroups: forgotten all at once past it
  std::unordered_map<uint64_t, std::shared_ptr<const Container>> by_id_;
};

}  // namespace ft
