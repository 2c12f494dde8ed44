// Runs programs for the root tests: captures output and status, and reads
// forktrace's JSON Lines.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ft::test {

struct Result {
  int status = -1;  // raw wait status
  std::string out, err;
  int exit_code() const;  // -1 when killed by a signal
};

// Runs argv with `env` added to the environment and `input` on stdin.
Result run(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
           const std::string& input = "");
// The same as the unprivileged user nobody (uid and gid 65534, no groups, no capabilities).
Result run_as_nobody(const std::vector<std::string>& argv);

std::vector<nlohmann::json> read_json_lines(const std::string& path);
std::vector<nlohmann::json> parse_json_lines(const std::string& text);
std::string read_file(const std::string& path);
std::string temp_path(const std::string& name);

// One ft-workload case traced live (JSON Lines, recorded on the way) and the
// recording replayed: what the workload says it did, and what each run saw.
struct TracedCase {
  std::vector<nlohmann::json> truth;     // the workload's own lines
  std::vector<nlohmann::json> events;    // the live run's JSON Lines
  std::vector<nlohmann::json> replayed;  // the recording's replay
  std::string recording;                 // its path
};
TracedCase trace_workload_case(const std::string& name);

// Skips without root; fails instead when FORKTRACE_REQUIRE_ROOT_TESTS=1 (CI).
#define FT_REQUIRE_ROOT()                                                             \
  do {                                                                                \
    if (geteuid() != 0) {                                                             \
      const char* required = std::getenv("FORKTRACE_REQUIRE_ROOT_TESTS");             \
      if (required && std::string(required) == "1") FAIL() << "root tests must run";  \
      GTEST_SKIP() << "needs root to load BPF programs";                              \
    }                                                                                 \
  } while (0)

}  // namespace ft::test
