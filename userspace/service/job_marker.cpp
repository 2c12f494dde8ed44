#include "service/job_marker.h"

#include <cctype>
#include <cstdio>

namespace ft {

std::string sanitize_job_id(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || std::string_view("._:@/+-").find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    }
    if (out.size() >= kMaxJobIdBytes) {
      out.resize(kMaxJobIdBytes);
      break;
    }
  }
  return out;
}

void keep_job_marker(std::vector<std::string>& env, const std::string& name) {
  std::string prefix = name + "=";
  for (const std::string& entry : env) {
    if (entry.compare(0, prefix.size(), prefix) == 0) {
      std::string marker = prefix + sanitize_job_id(entry.substr(prefix.size()));
      env.assign(1, std::move(marker));
      return;
    }
  }
  env.clear();
}

}  // namespace ft
