#include "core/container.h"

#include <vector>

namespace ft {
namespace {

constexpr size_t kIdLength = 64;  // OCI runtimes' IDs: 32 bytes in hex

bool is_id(std::string_view s) {
  if (s.size() != kIdLength) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool starts(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool ends(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A component that names a container by its runtime's prefix: systemd's
// `docker-<id>.scope`, podman's cgroupfs `libpod-<id>`, and so on.
struct Prefix {
  std::string_view prefix, runtime;
};
constexpr Prefix kPrefixes[] = {
    {"docker-", "docker"},            // docker, systemd driver
    {"cri-containerd-", "containerd"},  // containerd's CRI, systemd driver
    {"nerdctl-", "containerd"},       // nerdctl, systemd driver
    {"crio-", "cri-o"},               // cri-o (crio-conmon-<id> is its monitor: not an ID)
    {"libpod-", "podman"},            // podman (libpod-conmon-<id> is its monitor: not an ID)
};

std::optional<Container> named(std::string_view component) {
  std::string_view name = component;
  if (ends(name, ".scope")) name.remove_suffix(6);
  for (const Prefix& p : kPrefixes)
    if (starts(name, p.prefix) && is_id(name.substr(p.prefix.size())))
      return Container{std::string(name.substr(p.prefix.size())), std::string(p.runtime), ""};
  return std::nullopt;
}

// A Kubernetes pod's cgroup: `pod<uid>` (cgroupfs driver) or
// `kubepods-<qos>-pod<uid with _ for ->.slice` (systemd driver).
std::string pod_uid(std::string_view component) {
  std::string_view name = component;
  if (ends(name, ".slice")) {
    name.remove_suffix(6);
    size_t at = name.rfind("-pod");
    if (!starts(name, "kubepods") || at == std::string_view::npos) return "";
    name = name.substr(at + 4);
  } else if (starts(name, "pod")) {
    name = name.substr(3);
  } else {
    return "";
  }
  if (name.size() != 36) return "";  // a UID: 8-4-4-4-12 hex digits
  std::string uid(name);
  for (char& c : uid)
    if (c == '_') c = '-';
  for (size_t i = 0; i < uid.size(); i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = uid[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  }
  return uid;
}

}  // namespace

std::optional<Container> container_from_cgroup(std::string_view path) {
  std::vector<std::string_view> parts;
  for (size_t at = 0; at < path.size();) {
    size_t next = path.find('/', at);
    if (next == std::string_view::npos) next = path.size();
    if (next > at) parts.push_back(path.substr(at, next - at));
    at = next + 1;
  }
  for (size_t i = parts.size(); i-- > 0;) {
    std::optional<Container> found = named(parts[i]);
    std::string_view parent = i > 0 ? parts[i - 1] : std::string_view();
    if (!found && is_id(parts[i])) {
      // A bare ID: docker's and containerd's cgroupfs driver (`/docker/<id>`,
      // `/<namespace>/<id>`), or a Kubernetes pod's container (`pod<uid>/<id>`).
      std::string runtime = parent == "docker" ? "docker" : !pod_uid(parent).empty() ? "cri" : "";
      found = Container{std::string(parts[i]), runtime, ""};
    }
    if (!found) continue;
    for (size_t j = i; j-- > 0;)
      if (std::string uid = pod_uid(parts[j]); !uid.empty()) {
        found->pod_uid = uid;
        if (found->runtime.empty()) found->runtime = "cri";
        break;
      }
    return found;
  }
  return std::nullopt;
}

std::shared_ptr<const Container> ContainerCache::of(uint64_t cgroup_id, const std::string& path) {
  auto parse = [&]() -> std::shared_ptr<const Container> {
    std::optional<Container> found = container_from_cgroup(path);
    return found ? std::make_shared<const Container>(std::move(*found)) : nullptr;
  };
  if (cgroup_id == 0) return parse();  // a recording without IDs: rare, parsed each time
  if (auto it = by_id_.find(cgroup_id); it != by_id_.end()) return it->second;
  if (by_id_.size() >= kMaxCgroups) by_id_.clear();
  return by_id_[cgroup_id] = parse();
}

}  // namespace ft
