// libFuzzer target: the cgroup paths (a process's v2 cgroup from
// /proc/PID/cgroup, and --cgroup's "this cgroup or below" match,
// app/filters.h) and the job marker (service/job_marker.h), whose value is an
// untrusted string from the traced program's environment.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/filters.h"
#include "fuzz_input.h"
#include "host/proc.h"
#include "service/job_marker.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool allowed(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
         std::string_view("._:@/+-\\").find(c) != std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ft::fuzz::Input in(data, size);
  switch (in.number(1) % 3) {
    case 0: {  // --cgroup PATH (validated to start with '/') against a cgroup
      std::string path(in.bytes());
      std::string cgroup(in.rest());
      if (path.empty()) check(!ft::cgroup_within(cgroup, path));
      if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
      bool within = ft::cgroup_within(cgroup, path);
      if (within && path != "/") check(cgroup.size() >= path.size() - 1);
      check(ft::cgroup_within(path, path) || path.find_first_not_of('/') == std::string::npos);
      break;
    }
    case 1: {  // the process's cgroup lines, each path matched as the filter does
      std::string path(in.bytes());
      if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
      for (const std::string& cgroup : ft::parse_proc_cgroup_v2(in.rest())) ft::cgroup_within(cgroup, path);
      break;
    }
    case 2: {  // --job-env NAME over an environment
      std::string name(in.bytes());
      std::vector<std::string> env;
      while (!in.empty()) env.emplace_back(in.bytes());
      ft::keep_job_marker(env, name);
      check(env.size() <= 1);
      if (!env.empty()) {
        std::string value = env[0].substr(name.size() + 1);
        check(value.size() <= ft::kMaxJobIdBytes);
        for (char c : value) check(allowed(c));
        check(ft::sanitize_job_id(value) == value || value.size() == ft::kMaxJobIdBytes ||
              value.find('\\') != std::string::npos);
      }
      break;
    }
  }
  return 0;
}
