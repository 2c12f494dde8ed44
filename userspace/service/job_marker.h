// --job-env NAME: the environment of an exec is reduced to its job marker
// before anything records or shows it. The value is an untrusted string from
// the traced program, so odd bytes are escaped and its length is bounded.
#pragma once

#include <string>
#include <vector>

namespace ft {

constexpr size_t kMaxJobIdBytes = 128;

// Leaves in `env` only "NAME=value" (value sanitized), or nothing.
void keep_job_marker(std::vector<std::string>& env, const std::string& name);

// Bytes outside [A-Za-z0-9._:@/+-] become \xNN; at most kMaxJobIdBytes.
std::string sanitize_job_id(const std::string& value);

}  // namespace ft
