#include "app/options.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string_view>

#include <unistd.h>

#include "app/view_table.h"
#include "host/files.h"

namespace ft {
namespace {

constexpr const char* kDescription =
    "forktrace: trace process lifecycles (fork, exec, exit) with eBPF and show who started\n"
    "whom and how each process ended.\n\n"
    "  sudo forktrace                    every process on the machine, until Ctrl-C\n"
    "  sudo forktrace -- make -j8        one command and its descendants\n"
    "  sudo forktrace -p 1234            a running process and its descendants\n"
    "  sudo forktrace -w t.ftrace -- CMD record while tracing\n"
    "  forktrace -r t.ftrace --format tree   replay a recording (no root needed)\n";

template <class E>
struct Choice {
  std::string name;
  E value;
};

// An option naming one of `choices`, stored as its value: CLI11 checks the
// name (IsMember: its --help text and its error) before the one conversion.
template <class E>
CLI::Option* add_choice(CLI::App& app, const std::string& flags, E& target, std::vector<Choice<E>> choices,
                        const std::string& help) {
  std::vector<std::string> names;
  std::string current;
  for (const Choice<E>& c : choices) {
    names.push_back(c.name);
    if (c.value == target) current = c.name;
  }
  auto convert = [&target, choices](const std::string& name) {
    for (const Choice<E>& c : choices)
      if (c.name == name) target = c.value;
  };
  return app.add_option_function<std::string>(flags, convert, help)->check(CLI::IsMember(names))->default_str(current);
}

// --format's choices and help, from the table of views.
std::vector<Choice<Format>> format_choices() {
  std::vector<Choice<Format>> out;
  for (const ViewKind& kind : view_kinds()) out.push_back({kind.name, kind.format});
  return out;
}
std::string format_help() {
  std::string help = "The view: ";
  for (const ViewKind& kind : view_kinds()) {
    if (&kind != &view_kinds().front()) help += ", ";
    help += kind.name;
    if (*kind.help) help += std::string(" (") + kind.help + ")";
  }
  return help;
}

// `exec_failures`: false with --no-exec-failures.
void setup(CLI::App& app, Options& o, bool& exec_failures) {
  app.add_option("-p,--pid", o.pids, "Trace PID and all its descendants (repeatable)");
  app.add_option("-w,--write", o.write_path, "Also record every traced event to FILE")
      ->type_name("FILE");
  app.add_option("-r,--read", o.read_path, "Replay a recorded FILE instead of tracing live")
      ->type_name("FILE");
  app.add_option("-o,--output", o.output_path, "Write the view to FILE instead of standard output")
      ->type_name("FILE");
  app.add_option("--file-mode", o.file_mode_text,
                 "Mode of the recordings (-w) and -o files forktrace creates, in octal (default 0600: they "
                 "hold every traced user's command lines); 0640 lets the file's group read them. Existing "
                 "files keep theirs")
      ->type_name("MODE");
  add_choice(app, "--format", o.format, format_choices(), format_help());
  app.add_flag("--summary", o.summary,
               "At the end, print the build report: why it failed, failures handled and propagated, "
               "commands not found, the critical path, the slowest steps, per-executable CPU, memory and wall "
               "time (instead of the text view unless --format is given; --format json: one JSON object)");
  app.add_option("--diff", o.diff_path,
                 "With -r NEW: compare it with the recording BASE (added, removed and changed steps, "
                 "new failures, fixed ones, slower steps); text, or --format json")
      ->type_name("BASE");
  app.add_flag("--compile-commands-all", o.compile_commands_all,
               "With --format compile-commands: also preprocess-only runs (-E, -M, -MM) and configure's "
               "probes (conftest.c)");
  add_choice(app, "--color", o.color,
             {{"auto", ColorChoice::automatic}, {"always", ColorChoice::always}, {"never", ColorChoice::never}},
             "Colour outcomes in the tree: auto (on a terminal, unless NO_COLOR is set), always or never");
  app.add_option("--max-depth", o.max_depth,
                 "Tree: show N levels below the root; deeper parts are summarised (failures stay visible)")
      ->type_name("N");
  app.add_flag("--tui", o.tui,
               "A full-screen live tree in the terminal (keys: ? in it; q quits); the command gets "
               "a pseudo-terminal of its own, shown in a pane (o)");
  app.add_flag("--failed", o.failed,
               "Show only processes that exited non-zero or by a signal, with their ancestry");
  app.add_flag("--threads", o.threads, "Also show thread creation and thread exit");
  app.add_flag("-q,--quiet", o.quiet, "No summary line on standard error at the end");
  app.add_flag("-v,--verbose", o.verbose, "Show every failed exec attempt (PATH-search misses too), libbpf's messages with the verifier's log, "
                "where start-up went and which BPF programs were loaded");
  app.add_option("--test-kernel-btf", o.test_kernel_btf)->group("");  // tests only, not in --help
  app.add_option("--buffer-size", o.buffer_mib, "Kernel ring buffer size in MiB (a power of two)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_flag("!--no-exec-failures", exec_failures,
               "Do not report failed exec attempts (exec_failed events); they cost a little on "
               "every failed syscall");
  add_choice(app, "--exec-failures-hook", o.exec_failures,
             {{"auto", ExecFailureHook::automatic},
              {"sys_exit", ExecFailureHook::sys_exit},
              {"tracepoint", ExecFailureHook::tracepoint}},
             "Where failed execs are caught: tracepoint (syscalls/sys_exit_execve{,at} through "
             "tracefs, the cheaper), sys_exit (tp_btf, runs at every syscall's exit), or auto: "
             "tracepoint where the kernel has it");
  app.add_option("--max-args-size", o.max_args_size,
                 "Record at most this many bytes of each command line (argv); longer ones are "
                 "marked truncated")
      ->check(CLI::Range(4096u, 2u << 20))
      ->type_name("BYTES")
      ->capture_default_str();
  app.add_option("--output-buffer", o.output_buffer_mib,
                 "Live: MiB of view output held in memory while the reader (a pager, a pipe, a slow disk) "
                 "does not keep up; beyond it events are dropped for the view only, and reported as lost")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 20))
      ->capture_default_str();
  app.add_option("--metrics", o.metrics_address,
                 "Serve Prometheus metrics at http://ADDR:PORT/metrics while tracing")
      ->type_name("ADDR:PORT");
  app.add_option("--job-env", o.job_env,
                 "A process whose environment sets NAME at exec starts a job named by its value; "
                 "its descendants belong to it")
      ->type_name("NAME");
  app.add_option("--job", o.job, "Show only processes of job ID (live and on replay)")->type_name("ID");
  app.add_option("--cgroup", o.cgroup, "Show only processes in cgroup v2 PATH or below it")->type_name("PATH");
  app.add_option("--rotate-size", o.rotate_mib, "With -w DIR: start a new file after this many MiB")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 20))
      ->capture_default_str();
  app.add_option("--rotate-age", o.rotate_seconds, "With -w DIR: start a new file after this many seconds")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 32))
      ->capture_default_str();
  app.add_option("--keep-files", o.keep_files, "With -w DIR: keep at most this many files (oldest removed first)")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app.add_option("--keep-size", o.keep_mib, "With -w DIR: keep at most this many MiB of files")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--otlp", o.otlp_url,
                 "Send a span per process over OTLP/HTTP (protobuf) to URL/v1/traces, such as "
                 "http://localhost:4318 (https where the URL says so)")
      ->type_name("URL");
  app.add_option("--otlp-header", o.otlp_headers, "With --otlp: add this HTTP header to every request (repeatable)")
      ->type_name("NAME=VALUE");
  app.add_option("--redact", o.redact,
                 "Replace what REGEX (ECMAScript) matches in arguments by [redacted], in every output and the "
                 "recording (repeatable)")
      ->type_name("REGEX");
  app.set_version_flag("--version", std::string("forktrace ") + FORKTRACE_VERSION);
  app.footer("\nEverything after -- is the command to run and trace; forktrace exits with its status.\n"
             "Started through sudo, the command runs as the invoking user (SUDO_UID/SUDO_GID).");
}

// An error is one line, whatever bytes the arguments it quotes hold: their
// control characters (a newline, a terminal's escape) are written as \xNN.
std::string one_line(std::string_view message) {
  std::string out;
  for (unsigned char c : message) {
    if (c < 0x20 || c == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::optional<int> validate(Options& o, std::ostream& err) {
  auto fail = [&err](const std::string& message) {
    err << "forktrace: " << one_line(message) << '\n';
    return std::optional<int>(2);
  };
  if (!o.file_mode_text.empty()) {
    auto mode = parse_file_mode(o.file_mode_text);
    if (!mode)
      return fail("--file-mode takes an octal mode from 0600 to 0666 that keeps the owner's read and write, "
                  "such as 0640, not '" + o.file_mode_text + "'");
    o.file_mode = *mode;
  }
  if (!o.read_path.empty() && (!o.command.empty() || !o.pids.empty()))
    return fail("-r replays a recording: it cannot be combined with -p or a command");
  if (!o.diff_path.empty() && o.read_path.empty())
    return fail("--diff BASE compares recordings: give the new one with -r NEW");
  if (!o.diff_path.empty() && o.format != Format::text && o.format != Format::json)
    return fail("--diff prints text or, with --format json, one JSON object");
  if (o.compile_commands_all && o.format != Format::compile_commands)
    return fail("--compile-commands-all applies to --format compile-commands");
  if (o.format == Format::perfetto && o.summary)
    return fail("--format perfetto writes a binary trace: --summary cannot share its output");
  if (o.format == Format::perfetto && (o.output_path.empty() || o.output_path == "-") && isatty(STDOUT_FILENO))
    return fail("--format perfetto writes a binary trace: give -o FILE (such as -o trace.pftrace)");
  if (!o.read_path.empty() && !o.write_path.empty())
    return fail("-r and -w cannot be combined: copy the recording instead");
  if (!o.command.empty() && !o.pids.empty())
    return fail("give either a command after -- or -p PID, not both");
  if ((o.buffer_mib & (o.buffer_mib - 1)) != 0)
    return fail("--buffer-size must be a power of two (1, 2, 4, ... MiB)");
  for (uint32_t pid : o.pids)
    if (pid == 0) return fail("-p 0 is not a process ID");
  if (!o.job_env.empty() && o.job_env.find_first_of("=\0") != std::string::npos)
    return fail("--job-env takes a variable name, without '='");
  if (!o.read_path.empty() && (!o.metrics_address.empty() || !o.job_env.empty()))
    return fail("--metrics and --job-env apply to live tracing, not to -r");
  if (o.tui && (o.format_given || o.summary || !o.output_path.empty()))
    return fail("--tui is a view of its own: it cannot be combined with --format, --summary or -o");
  if (o.tui && !isatty(STDOUT_FILENO))
    return fail("--tui needs a terminal, and standard output is not one (for a tree in a file or pipe, use --format tree)");
  if (!o.cgroup.empty() && o.cgroup.front() != '/')
    return fail("--cgroup takes a cgroup v2 path starting with /, such as /system.slice/x.service");
  for (const std::string& h : o.otlp_headers) {
    size_t eq = h.find('=');
    if (eq == 0 || eq == std::string::npos ||
        h.find_first_not_of("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != eq ||
        h.find_first_of("\r\n", eq) != std::string::npos)
      return fail("--otlp-header takes NAME=VALUE, such as --otlp-header 'Authorization=Bearer TOKEN'");
  }
  if (!o.otlp_headers.empty() && o.otlp_url.empty()) return fail("--otlp-header needs --otlp URL");
  return std::nullopt;
}

}  // namespace

std::optional<int> parse_options(int argc, char** argv, Options& o) {
  return parse_options(argc, argv, o, std::cout, std::cerr);
}

std::optional<int> parse_options(int argc, char** argv, Options& o, std::ostream& out, std::ostream& err) {
  o.argv.assign(argv, argv + argc);
  // Everything after the first `--` is the command, whatever it looks like.
  int own_argc = argc;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) {
      own_argc = i;
      o.command.assign(argv + i + 1, argv + argc);
      if (o.command.empty()) {
        err << "forktrace: nothing after --: give the command to trace\n";
        return 2;
      }
      break;
    }
  }
  CLI::App app(kDescription, "forktrace");
  bool exec_failures = true;
  setup(app, o, exec_failures);
  try {
    app.parse(own_argc, argv);
    o.format_given = app.count("--format") > 0;
    if (!exec_failures) o.exec_failures = ExecFailureHook::off;
  } catch (const CLI::Success& e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    err << "forktrace: " << one_line(e.what()) << " (see forktrace --help)\n";
    return 2;
  }
  return validate(o, err);
}

}  // namespace ft
