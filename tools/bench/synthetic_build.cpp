// Writes the recording of a synthetic build of about N processes, for the HTML
// report's benchmark (tools/bench/html_report_bench.sh): a top-level
// `make -j8` runs one sub-make per directory in turn; each runs its compile
// units eight at a time (sh -c 'gcc ...' → gcc → cc1 → as, with realistic
// command lines and durations), a few configure-like probes that fail and are
// handled, and the last directory's compile fails, which fails the build.
//
//   ft-synthetic-build OUT.ftrace [PROCESSES]   (default 100000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/event.h"
#include "recording/trace_writer.h"

namespace {

constexpr uint64_t kUs = 1'000, kMs = 1'000'000, kSec = 1'000'000'000;

struct Builder {
  std::vector<ft::Event> events;  // one directory's worth, then sorted and written
  uint32_t next_pid = 2000;
  std::mt19937_64 rng{42};

  uint64_t between(uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng); }

  struct Proc {
    uint32_t pid;
    uint64_t start;
  };

  // A process forked by `parent` at `start` that execs `argv` and exits at `end`.
  Proc run(const Proc& parent, const std::string& comm_before, std::vector<std::string> argv, uint64_t start,
           uint64_t end, int exit_code) {
    Proc p{next_pid++, start};
    ft::Event fork;
    fork.kind = ft::EventKind::fork;
    fork.ts_ns = start;
    fork.pid = fork.tid = p.pid;
    fork.ppid = fork.parent_pid = fork.parent_tid = parent.pid;
    fork.start_ns = fork.thread_start_ns = start;
    fork.parent_start_ns = parent.start;
    fork.comm = comm_before;
    events.push_back(fork);
    ft::Event exec;
    exec.kind = ft::EventKind::exec;
    exec.ts_ns = start + 60 * kUs;
    exec.pid = exec.tid = p.pid;
    exec.ppid = parent.pid;
    exec.start_ns = start;
    std::string name = argv[0].substr(argv[0].rfind('/') + 1);
    exec.comm = name.substr(0, 15);
    exec.filename = argv[0][0] == '/' ? argv[0] : "/usr/bin/" + argv[0];
    exec.argv = std::move(argv);
    events.push_back(exec);
    ft::Event exit;
    exit.kind = ft::EventKind::exit;
    exit.ts_ns = std::max(end, start + 100 * kUs);
    exit.pid = exit.tid = p.pid;
    exit.ppid = parent.pid;
    exit.start_ns = exit.thread_start_ns = start;
    exit.comm = exec.comm;
    exit.wait_status = static_cast<uint32_t>(exit_code & 0xff) << 8;
    events.push_back(exit);
    return p;
  }
};

std::vector<std::string> gcc_argv(const std::string& dir, int unit, bool driver) {
  std::string src = dir + "/unit" + std::to_string(unit) + ".c";
  std::vector<std::string> argv;
  if (driver) argv = {"gcc"};
  else argv = {"/usr/libexec/gcc/x86_64-linux-gnu/12/cc1", "-quiet", "-I", dir + "/include"};
  for (const char* a : {"-DHAVE_CONFIG_H", "-I.", "-I..", "-Wall", "-Wextra", "-O2", "-g", "-fPIC",
                        "-D_FORTIFY_SOURCE=2", "-fstack-protector-strong", "-MD", "-MP"})
    argv.push_back(a);
  argv.push_back("-MF");
  argv.push_back(dir + "/.deps/unit" + std::to_string(unit) + ".Tpo");
  argv.push_back("-c");
  argv.push_back(src);
  argv.push_back("-o");
  argv.push_back(dir + "/unit" + std::to_string(unit) + ".o");
  return argv;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ft-synthetic-build OUT.ftrace [PROCESSES]\n");
    return 2;
  }
  const uint64_t target = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000;
  ft::TraceHeader header;
  header.hostname = "synthetic";
  header.started_ns = 1 * kSec;
  header.realtime_offset_ns = 1'764'547'200'000'000'000;  // 2025-12-01 00:00 UTC at boot
  header.flags = ft::kTraceFiltered;
  header.traced_command = {"make", "-j8"};
  header.command = {"forktrace", "-w", argv[1], "--", "make", "-j8"};
  // forktrace itself was alive when tracing began, as in a real recording.
  ft::SeedProcess self;
  self.pid = 1000;
  self.ppid = 1;
  self.start_ns = 0;  // as tracer{1000, 0} below
  self.comm = "forktrace";
  self.filename = "/usr/bin/forktrace";
  self.argv = header.command;
  header.seeds.push_back(self);
  std::string error;
  auto writer = ft::TraceWriter::open(argv[1], header, error);
  if (!writer) {
    std::fprintf(stderr, "ft-synthetic-build: %s\n", error.c_str());
    return 1;
  }
  Builder b;
  auto write_sorted = [&] {
    std::stable_sort(b.events.begin(), b.events.end(),
                     [](const ft::Event& x, const ft::Event& y) { return x.ts_ns < y.ts_ns; });
    for (const ft::Event& e : b.events) {
      writer->write(e);
      // Never outrun the writer thread: it drops what does not fit its queue.
      while (writer->bytes_encoded() > writer->bytes_written() + 32 * 1024 * 1024) {
        writer->flush();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    b.events.clear();
  };

  const int units_per_dir = 200, jobs = 8;
  const uint64_t per_dir = units_per_dir * 4 + 6 + 1;
  const int dirs = static_cast<int>(std::max<uint64_t>(1, (target - 1) / per_dir));
  Builder::Proc tracer{1000, 0};
  uint64_t t = 2 * kSec;
  // The top-level make: forked now, its exit written at the end.
  Builder::Proc top{b.next_pid++, t};
  {
    ft::Event fork;
    fork.kind = ft::EventKind::fork;
    fork.ts_ns = fork.start_ns = fork.thread_start_ns = t;
    fork.pid = fork.tid = top.pid;
    fork.ppid = fork.parent_pid = fork.parent_tid = tracer.pid;
    fork.comm = "forktrace";
    b.events.push_back(fork);
    ft::Event exec = fork;
    exec.kind = ft::EventKind::exec;
    exec.ts_ns = t + 200 * kUs;
    exec.comm = "make";
    exec.filename = "/usr/bin/make";
    exec.argv = {"make", "-j8"};
    b.events.push_back(exec);
  }
  t += kMs;
  for (int d = 0; d < dirs; ++d) {
    bool last = d + 1 == dirs;
    std::string dir = "src/module" + std::to_string(d);
    uint64_t start = t;
    Builder::Proc sub{b.next_pid++, start};
    std::vector<uint64_t> slot(jobs, start + kMs);
    // Configure-like probes whose failure is expected: handled by the sub-make.
    for (int probe = 0; probe < 2; ++probe) {
      uint64_t s = slot[0], e = s + b.between(2, 8) * kMs;
      auto sh = b.run(sub, "make", {"/bin/sh", "-c", "cc -o conftest conftest.c -lfoo" + std::to_string(probe)}, s, e, 1);
      b.run(sh, "sh", {"cc", "-o", "conftest", "conftest.c", "-lfoo" + std::to_string(probe)}, s + 100 * kUs,
            e - 200 * kUs, 1);
      slot[0] = e + 100 * kUs;
    }
    int units = last ? units_per_dir / 2 : units_per_dir;
    uint64_t end = start;
    for (int u = 0; u < units; ++u) {
      auto free = std::min_element(slot.begin(), slot.end());
      uint64_t s = *free + b.between(50, 400) * kUs;
      uint64_t compile = b.between(20, 900) * kMs;
      bool broken = last && u == units - 1;
      uint64_t e = s + compile + 3 * kMs;
      std::vector<std::string> driver = gcc_argv(dir, u, true);
      std::string line;
      for (const auto& a : driver) line += (line.empty() ? "" : " ") + a;
      auto sh = b.run(sub, "make", {"/bin/sh", "-c", line}, s, e, broken ? 1 : 0);
      auto gcc = b.run(sh, "sh", driver, s + 200 * kUs, e - 300 * kUs, broken ? 1 : 0);
      b.run(gcc, "gcc", gcc_argv(dir, u, false), s + 500 * kUs, s + 500 * kUs + compile, broken ? 1 : 0);
      if (!broken) b.run(gcc, "gcc", {"as", "--64", "-o", dir + "/unit" + std::to_string(u) + ".o", "/tmp/cc.s"},
                         s + 600 * kUs + compile, e - 600 * kUs, 0);
      *free = e;
      end = std::max(end, e);
    }
    end += 2 * kMs;
    // The sub-make itself, around its children.
    ft::Event fork;
    fork.kind = ft::EventKind::fork;
    fork.ts_ns = fork.start_ns = fork.thread_start_ns = start;
    fork.pid = fork.tid = sub.pid;
    fork.ppid = fork.parent_pid = fork.parent_tid = top.pid;
    fork.parent_start_ns = top.start;
    fork.comm = "make";
    b.events.push_back(fork);
    ft::Event exec = fork;
    exec.kind = ft::EventKind::exec;
    exec.ts_ns = start + 100 * kUs;
    exec.filename = "/usr/bin/make";
    exec.argv = {"make", "-C", dir, "all"};
    b.events.push_back(exec);
    ft::Event exit = fork;
    exit.kind = ft::EventKind::exit;
    exit.ts_ns = end;
    exit.wait_status = last ? 2u << 8 : 0;
    b.events.push_back(exit);
    write_sorted();
    t = end + kMs;
  }
  ft::Event exit;
  exit.kind = ft::EventKind::exit;
  exit.ts_ns = t;
  exit.pid = exit.tid = top.pid;
  exit.ppid = tracer.pid;
  exit.start_ns = exit.thread_start_ns = top.start;
  exit.comm = "make";
  exit.wait_status = 2u << 8;
  b.events.push_back(exit);
  write_sorted();
  if (!writer->close(error) || writer->records_dropped()) {
    std::fprintf(stderr, "ft-synthetic-build: %s (%llu records dropped)\n", error.c_str(),
                 static_cast<unsigned long long>(writer->records_dropped()));
    return 1;
  }
  std::printf("%s: %u processes, %.1f s of build\n", argv[1], b.next_pid - 2000, static_cast<double>(t - 2 * kSec) / kSec);
  return 0;
}
