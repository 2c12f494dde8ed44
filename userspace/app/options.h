// The command line (INTERFACE.md): one options struct, parsed by CLI11.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "probe/probe.h"  // ExecFailureHook

namespace ft {

// --format: the view (app/view_table.h has one entry for each).
enum class Format { text, tree, json, chrome, html, otlp, compile_commands, perfetto };
// --color.
enum class ColorChoice { automatic, always, never };

struct Options {
  std::vector<std::string> command;  // after `--`
  std::vector<uint32_t> pids;        // -p
  std::string write_path;            // -w
  std::string read_path;             // -r
  std::string output_path;           // -o
  // --file-mode: what recordings and -o files forktrace creates get (host/files.h).
  std::string file_mode_text;
  unsigned file_mode = 0600;
  std::string diff_path;             // --diff BASE (with -r NEW)
  Format format = Format::text;      // --format
  bool format_given = false;         // --format was on the command line
  bool failed = false;
  bool threads = false;
  bool summary = false;
  bool compile_commands_all = false;  // --compile-commands-all: preprocess-only runs and configure's probes too
  ColorChoice color = ColorChoice::automatic;  // --color auto|always|never
  size_t max_depth = 0;              // --max-depth (tree), 0: all
  bool tui = false;                  // --tui
  bool quiet = false;
  bool verbose = false;
  uint32_t buffer_mib = 16;
  // Exec detail (docs/interface.md).
  // --exec-failures-hook auto, tracepoint or sys_exit (docs/benchmarks.md);
  // off with --no-exec-failures.
  ExecFailureHook exec_failures = ExecFailureHook::automatic;
  uint32_t max_args_size = 128 * 1024;          // --max-args-size BYTES
  uint64_t output_buffer_mib = 256;  // --output-buffer: the views' queue, live
  // --test-kernel-btf FILE (hidden, for the tests): the BTF the kernel check
  // reads, to prove the one-line error for a kernel without BTF or ring buffer.
  std::string test_kernel_btf = "/sys/kernel/btf/vmlinux";
  // Service mode (docs/service.md).
  std::string metrics_address;       // --metrics ADDR:PORT
  std::string job_env;               // --job-env NAME
  std::string job;                   // --job ID
  std::string cgroup;                // --cgroup PATH
  uint64_t rotate_mib = 64;          // -w DIR: a new file after this many MiB
  uint64_t rotate_seconds = 3600;    //         or this many seconds
  uint32_t keep_files = 48;          //         keeping at most this many files
  uint64_t keep_mib = 4096;          //         and this many MiB
  std::vector<std::string> argv;     // forktrace's own command line, for the recording
  // OpenTelemetry export (docs/opentelemetry.md).
  std::string otlp_url;                   // --otlp URL
  std::vector<std::string> otlp_headers;  // --otlp-header NAME=VALUE
  std::vector<std::string> redact;        // --redact REGEX
};

// Options are parsed once into these types: the strings of the command line
// are compared nowhere else.
// Parses argv. On --help, --version or an error, returns the exit status to
// end with (after printing help, or one line on stderr); else nullopt.
std::optional<int> parse_options(int argc, char** argv, Options& options);
// The same, printing help, the version and errors to `out` and `err` rather
// than standard output and error (the fuzzer, tests/fuzz/options_fuzz.cpp).
std::optional<int> parse_options(int argc, char** argv, Options& options, std::ostream& out, std::ostream& err);

}  // namespace ft
