// The command line (INTERFACE.md): one options struct, parsed by CLI11.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ft {

struct Options {
  std::vector<std::string> command;  // after `--`
  std::vector<uint32_t> pids;        // -p
  std::string write_path;            // -w
  std::string read_path;             // -r
  std::string output_path;           // -o
  std::string format = "text";       // --format
  bool format_given = false;         // --format was on the command line
  bool failed = false;
  bool threads = false;
  bool summary = false;
  bool quiet = false;
  bool verbose = false;
  uint32_t buffer_mib = 16;
  std::vector<std::string> argv;     // forktrace's own command line, for the recording
};

// Parses argv. On --help, --version or an error, returns the exit status to
// end with (after printing help, or one line on stderr); else nullopt.
std::optional<int> parse_options(int argc, char** argv, Options& options);

}  // namespace ft
